/** The proxy's own routes: health, readiness, metrics, the OpenAPI document and the docs page. */
import { Effect } from "effect"
import * as Answers from "../answers.js"
import type { ProxySettings } from "../config/ProxyConfig.js"
import type { Metrics } from "../ops/Metrics.js"
import type { SharedStateService } from "../shared/SharedState.js"
import type { DocsAssets } from "./docs.js"
import { docsRoutes } from "./docs.js"
import { type Handled, handled, type Incoming, other, routeFacts } from "./handled.js"
import { openApiDocument } from "./ProxyApi.js"
import { readiness } from "./readiness.js"
import type { NowOrLater } from "./request.js"

export const makeOpsRoutes = (
  deps: {
    readonly settings: ProxySettings
    readonly metrics: Metrics
    readonly state: { readonly draining: boolean }
    readonly sharedState: SharedStateService
    readonly docsAssets: DocsAssets
  }
) => {
  const { metrics, settings, state } = deps
  // Built on the first request for it: most proxies are never asked, and it is work at start-up.
  let openApiJson: string | undefined
  const docs = docsRoutes(deps.docsAssets)
  const json = (status: number, body: unknown) => ({ status, body: JSON.stringify(body), headers: {} })

  /** Routes a request that is none of the API's. */
  return ({ path, request }: Incoming): NowOrLater<Handled> => {
    const method = request.method
    const get = method === "GET" || method === "HEAD"
    switch (path) {
      case "/healthz":
        return handled(get ? json(200, { status: "ok" }) : Answers.wrongMethod(method, path, "GET"), routeFacts.healthz)
      case "/readyz":
        return handled(
          !get
            ? Answers.wrongMethod(method, path, "GET")
            : readiness(state, deps.sharedState.redis),
          routeFacts.readyz
        )
      case "/metrics":
        // With an admin port, metrics are served there only, not to clients.
        if (settings.adminPort !== undefined) return handled(Answers.invalidUrl(method, path), other)
        if (!get) return handled(Answers.wrongMethod(method, path, "GET"), routeFacts.metrics)
        return Effect.map(
          Effect.promise(() => metrics.scrape()),
          (text) =>
            handled(
              { status: 200, body: text, headers: {}, contentType: metrics.registry.contentType },
              routeFacts.metrics
            )
        )
      case "/openapi.json":
        return handled(
          get
            ? { status: 200, body: (openApiJson ??= JSON.stringify(openApiDocument())), headers: {} }
            : Answers.wrongMethod(method, path, "GET"),
          routeFacts.openapi
        )
      default: {
        const doc = docs.get(path)
        if (doc === undefined) return handled(Answers.invalidUrl(method, path), other)
        return handled(get ? doc() : Answers.wrongMethod(method, path, "GET"), routeFacts.docs)
      }
    }
  }
}
