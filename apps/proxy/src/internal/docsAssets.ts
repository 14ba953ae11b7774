/**
 * The docs UI's files, embedded by the build (see build.mjs) from the pinned
 * swagger-ui-dist package: served by the proxy itself, so the page needs nothing from
 * third parties and works offline.
 */
import swaggerUiBundle from "docs-asset:swagger-ui-bundle.js"
import swaggerUiCss from "docs-asset:swagger-ui.css"

export { swaggerUiBundle, swaggerUiCss }
