/**
 * What each error means, in two tables: an HTTP status → the error it is, its reason
 * phrase and whether it is retried; an error → its kind for a program's exit status,
 * and what a gateway answers for it. The response reader, `RetryPolicy`, the proxy's
 * answers and the CLI's exit statuses read them.
 *
 * @since 0.3.0
 */
import type { FileBatchWaitError, UpstreamStatusError } from "./FileBatchError.js"

/**
 * Whether a status is retried: `never` (not even when the server says to: the same
 * request cannot succeed later), `yes` or `no` (unless the server's `x-should-retry` says
 * otherwise).
 *
 * @since 0.3.0
 * @category models
 */
export type Retry = "never" | "yes" | "no"

/**
 * One status: the error it becomes, its reason phrase, whether it is retried.
 *
 * @since 0.3.0
 * @category models
 */
export interface StatusRule {
  readonly error: UpstreamStatusError["_tag"] | "TimeoutError"
  readonly reason: string | undefined
  readonly retry: Retry
}

const rule = (error: StatusRule["error"], reason: string | undefined, retry: Retry): StatusRule => ({
  error,
  reason,
  retry
})

/**
 * The statuses with a rule of their own; {@link statusRule} covers the rest.
 *
 * @since 0.3.0
 * @category constants
 */
export const byStatus: Readonly<Record<number, StatusRule>> = {
  400: rule("InvalidRequestError", "Bad Request", "never"),
  401: rule("AuthenticationError", "Unauthorized", "never"),
  403: rule("PermissionDeniedError", "Forbidden", "never"),
  404: rule("NotFoundError", "Not Found", "never"),
  405: rule("InvalidRequestError", "Method Not Allowed", "no"),
  408: rule("TimeoutError", "Request Timeout", "yes"),
  409: rule("ConflictError", "Conflict", "yes"),
  413: rule("InvalidRequestError", "Payload Too Large", "no"),
  422: rule("InvalidRequestError", "Unprocessable Entity", "never"),
  429: rule("RateLimitError", "Too Many Requests", "yes"),
  500: rule("ServerError", "Internal Server Error", "yes"),
  502: rule("ServerError", "Bad Gateway", "yes"),
  503: rule("ServerError", "Service Unavailable", "yes"),
  504: rule("ServerError", "Gateway Timeout", "yes")
}

const otherServerError = rule("ServerError", undefined, "yes")
const otherClientError = rule("InvalidRequestError", undefined, "no")

/**
 * The rule of any error status.
 *
 * @since 0.3.0
 * @category getters
 */
export const statusRule = (status: number): StatusRule =>
  byStatus[status] ?? (status >= 500 ? otherServerError : otherClientError)

/**
 * What a failure means to a program that ends on it; the CLI has an exit status per kind.
 *
 * @since 0.3.0
 * @category models
 */
export type Kind = "usage" | "auth" | "notFound" | "rateLimited" | "upstream"

/**
 * One error: a few words for people, its kind, and what a gateway answers for it when
 * the upstream gave no status of its own (with the `code` of the body).
 *
 * @since 0.3.0
 * @category models
 */
export interface ErrorRule {
  readonly label: string
  readonly kind: Kind
  readonly gateway: { readonly status: number; readonly code: string } | undefined
}

/**
 * Every error of core.
 *
 * @since 0.3.0
 * @category constants
 */
export const byError: Readonly<Record<FileBatchWaitError["_tag"], ErrorRule>> = {
  InvalidArgumentError: { label: "invalid argument", kind: "usage", gateway: { status: 400, code: "invalid_value" } },
  InvalidRequestError: { label: "invalid request", kind: "usage", gateway: undefined },
  AuthenticationError: { label: "authentication failed", kind: "auth", gateway: undefined },
  PermissionDeniedError: { label: "permission denied", kind: "auth", gateway: undefined },
  NotFoundError: { label: "not found", kind: "notFound", gateway: undefined },
  RateLimitError: { label: "rate limited", kind: "rateLimited", gateway: undefined },
  ConflictError: { label: "conflict", kind: "upstream", gateway: undefined },
  ServerError: { label: "server error", kind: "upstream", gateway: undefined },
  TimeoutError: { label: "timed out", kind: "upstream", gateway: { status: 504, code: "upstream_timeout" } },
  ConnectionError: {
    label: "connection failed",
    kind: "upstream",
    gateway: { status: 502, code: "upstream_unreachable" }
  },
  UnexpectedResponseError: {
    label: "unexpected response",
    kind: "upstream",
    gateway: { status: 502, code: "upstream_bad_response" }
  },
  WaitTimeoutError: { label: "still running", kind: "upstream", gateway: { status: 504, code: "wait_timeout" } }
}
