/**
 * The `/docs` page: Swagger UI over `/openapi.json`, every file served by the proxy
 * itself (the UI is pinned and embedded at build time), under a content security policy
 * that allows nothing else, so that a page inside a process that holds the org's key
 * loads no third party's code and works offline.
 */
import { Context } from "effect"
import type { Answer } from "../answers.js"

/** The UI's script and style sheet, as the build embeds them (read when first asked for). */
export interface DocsAssetsService {
  readonly script: () => string
  readonly styles: () => string
}

export class DocsAssets extends Context.Tag("@filebatch/proxy/DocsAssets")<DocsAssets, DocsAssetsService>() {}

const page = `<!doctype html>
<html>
<head>
<meta charset="utf-8">
<title>filebatch proxy API</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<noscript>The API description is at <a href="/openapi.json">/openapi.json</a>.</noscript>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`

// No validator badge: it would ask a third party to validate the document.
const init = `window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", validatorUrl: null })\n`

const policy = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; " +
  "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

type Served = Answer & { readonly contentType: string }

/** The docs routes by path: each answer made when first asked for, then kept. */
export const docsRoutes = (assets: DocsAssetsService): ReadonlyMap<string, () => Served> => {
  const once = (make: () => Served) => {
    let served: Served | undefined
    return () => (served ??= make())
  }
  const asset = (body: () => string, contentType: string) =>
    once(() => ({
      status: 200,
      body: body(),
      contentType,
      headers: { "cache-control": "public, max-age=86400", "x-content-type-options": "nosniff" }
    }))
  return new Map([
    [
      "/docs",
      once(() => ({
        status: 200,
        body: page,
        contentType: "text/html; charset=utf-8",
        headers: { "content-security-policy": policy, "x-content-type-options": "nosniff" }
      }))
    ],
    ["/docs/init.js", asset(() => init, "text/javascript; charset=utf-8")],
    ["/docs/swagger-ui-bundle.js", asset(assets.script, "text/javascript; charset=utf-8")],
    ["/docs/swagger-ui.css", asset(assets.styles, "text/css; charset=utf-8")]
  ])
}
