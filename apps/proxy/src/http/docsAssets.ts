/**
 * The docs UI's files, embedded by the build (see build.mjs) from the pinned
 * swagger-ui-dist package, gzipped in base64: served by the proxy itself, so the page
 * needs nothing from third parties and works offline; unpacked on first use.
 */
import packedBundle from "docs-asset:swagger-ui-bundle.js"
import packedCss from "docs-asset:swagger-ui.css"
import { Layer } from "effect"
import { gunzipSync } from "node:zlib"
import { DocsAssets } from "./docs.js"

const unpack = (packed: string) => {
  let text: string | undefined
  return () => (text ??= gunzipSync(Buffer.from(packed, "base64")).toString("utf8"))
}

export const swaggerUiBundle = unpack(packedBundle)
export const swaggerUiCss = unpack(packedCss)

/** The files the build embeds. */
export const layer: Layer.Layer<DocsAssets> = Layer.succeed(DocsAssets, {
  script: swaggerUiBundle,
  styles: swaggerUiCss
})
