/**
 * `@filebatch/undici`: a lean Effect `HttpClient` over undici for `@filebatch/core`.
 *
 * @since 0.1.0
 */

/**
 * The client and its layer.
 *
 * @since 0.1.0
 */
export * as UndiciHttpClient from "./UndiciHttpClient.js"
