/**
 * @since 0.1.0
 */
export * as Tracing from "./Tracing.js"

/**
 * @since 0.1.0
 */
export * as RemoteParent from "./RemoteParent.js"
