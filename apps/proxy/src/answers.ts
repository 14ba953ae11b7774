/** OpenAI-shaped answers of the proxy itself, and upstream errors turned back into OpenAI's shape. */
import { ErrorResponse, ErrorTable, type FileBatchError } from "@filebatch/core"
import { Duration } from "effect"

export interface Answer {
  readonly status: number
  readonly body: string
  readonly headers: Record<string, string>
}

/**
 * An error in OpenAI's shape. It tells official SDKs whether to retry (`x-should-retry`,
 * which they obey): only where a retry by the client can help (`shouldRetry`); never
 * for what the proxy has already retried upstream or what is final, so that one layer
 * retries, not two.
 */
export const errorAnswer = (
  status: number,
  message: string,
  options: {
    type?: string
    param?: string | null
    code?: string | null
    headers?: Record<string, string>
    shouldRetry?: boolean
  } = {}
): Answer => ({
  status,
  body: ErrorResponse.encode(ErrorResponse.make(status, message, options)),
  headers: { ...options.headers, "x-should-retry": options.shouldRetry === true ? "true" : "false" }
})

export const missingKey = () =>
  errorAnswer(
    401,
    "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth " +
      "(i.e. Authorization: Bearer YOUR_KEY)."
  )

export const unknownKey = (key: string) =>
  errorAnswer(401, `Incorrect API key provided: ${ErrorResponse.maskKey(key)}.`, { code: "invalid_api_key" })

export const forbiddenStore = (vectorStoreId: string) =>
  errorAnswer(403, `This key may not access vector store '${vectorStoreId}'.`, {
    type: "permission_error",
    param: "vector_store_id",
    code: "forbidden"
  })

export const forbiddenOperation = (operation: string) =>
  errorAnswer(403, `This key may not call '${operation}'.`, { type: "permission_error", code: "forbidden" })

export const invalidUrl = (method: string, path: string) => errorAnswer(404, `Invalid URL (${method} ${path})`)

export const wrongMethod = (method: string, path: string, allow: string) =>
  errorAnswer(405, `Invalid method for URL (${method} ${path})`, {
    code: "method_not_allowed",
    headers: { allow }
  })

export const bodyTooLarge = (limit: number) =>
  errorAnswer(413, `Request body too large: at most ${limit} bytes are accepted.`, { code: "request_too_large" })

/** Past the bound on concurrent upstream calls and their queue. */
export const shed = () =>
  errorAnswer(503, "Too many requests are waiting for the upstream; retry shortly.", {
    code: "overloaded",
    shouldRetry: true,
    headers: { "retry-after": "1" }
  })

/** The key's own rate limit, with OpenAI's headers. */
export const rateLimited = (key: string, limit: number, window: Duration.Duration, retryAfterMillis: number) =>
  errorAnswer(
    429,
    `Rate limit reached for key '${key}': ${limit} requests per ${Duration.format(window)}. Please try again in ${
      (retryAfterMillis / 1000).toFixed(1)
    }s.`,
    {
      type: "requests",
      code: "rate_limit_exceeded",
      shouldRetry: true,
      headers: {
        "x-ratelimit-limit-requests": String(limit),
        "x-ratelimit-remaining-requests": "0",
        "x-ratelimit-reset-requests": `${Math.ceil(retryAfterMillis)}ms`,
        "retry-after": String(Math.max(1, Math.ceil(retryAfterMillis / 1000)))
      }
    }
  )

/** Redis, which holds the shared rate limit, is unreachable and the limit fails closed. */
export const rateLimitUnavailable = () =>
  errorAnswer(503, "The rate limit cannot be checked right now; retry shortly.", {
    code: "rate_limit_unavailable",
    headers: { "retry-after": "1" },
    shouldRetry: true
  })

/** A query or body parameter that is wrong, named. */
export const invalidParam = (param: string, message: string) =>
  errorAnswer(400, `Invalid '${param}': ${message}.`, { param, code: "invalid_value" })

/** What node:http refuses before any handler: headers too large, too slow, or not HTTP. */
export const malformedRequest = (status: 400 | 408 | 431) =>
  errorAnswer(
    status,
    status === 431 ? "Request headers too large." : status === 408 ? "Request timed out." : "Malformed request.",
    { shouldRetry: status === 408 }
  )

/** `/audit` on a proxy that keeps no trail. */
export const auditOff = () =>
  errorAnswer(
    404,
    "No audit trail is kept: set FILEBATCH_PROXY_AUDIT_FILE, or FILEBATCH_PROXY_REDIS_URL for a stream.",
    { code: "audit_off" }
  )

/** The trail (or the metrics of a worker group) cannot be read right now. */
export const unavailable = (what: string, reason: string) =>
  errorAnswer(503, `${what} cannot be read right now: ${reason}`, {
    code: "unavailable",
    shouldRetry: true,
    headers: { "retry-after": "1" }
  })

/** A defect in the proxy itself: nothing about it is told to the client. */
export const unexpected = () => errorAnswer(500, "The proxy failed unexpectedly.", { code: "internal_error" })

/**
 * The answer to a request still waiting on the upstream when a stop's grace ran out. The call
 * may have reached OpenAI: a cancel or a read is safe to send again, to another replica.
 */
export const stopping = () =>
  errorAnswer(
    503,
    "The proxy stopped before the upstream answered; the call may have taken effect. Retry: another replica will answer.",
    { code: "proxy_stopping", shouldRetry: true }
  )

/** An error answer the upstream chose, passed on with its type, param, code and retry hints. */
const fromUpstreamStatus = (error: FileBatchError.UpstreamStatusError): Answer => {
  const headers: Record<string, string> = {}
  if (error.retryAfterMillis !== undefined && error.retryAfterMillis > 0) {
    headers["retry-after"] = String(Math.ceil(error.retryAfterMillis / 1000))
    headers["retry-after-ms"] = String(Math.round(error.retryAfterMillis))
  }
  if (error.requestId !== undefined) headers["openai-request-id"] = error.requestId
  return errorAnswer(error.status, error.message, {
    ...(error.type !== undefined ? { type: error.type } : {}),
    param: error.param ?? null,
    code: error.code ?? null,
    headers
  })
}

/**
 * Turns an upstream or transport failure back into what OpenAI would have answered: an
 * error answer with a status of its own passed on as it came, any other as core's error
 * table says a gateway answers it.
 */
export const fromFileBatchError = (error: FileBatchError.FileBatchError): Answer => {
  const { gateway, label } = ErrorTable.byError[error._tag]
  if (gateway === undefined) return fromUpstreamStatus(error as FileBatchError.UpstreamStatusError)
  if (error._tag === "InvalidArgumentError") {
    return errorAnswer(gateway.status, error.message, {
      param: error.argument === "batchId" ? "batch_id" : "vector_store_id",
      code: gateway.code
    })
  }
  // A 408 from the upstream is passed on as such; other failures had no status of their own to pass on.
  const status = error._tag === "TimeoutError" ? error.status ?? gateway.status : gateway.status
  return errorAnswer(status, `Upstream ${label}: ${error.message}`, { code: gateway.code })
}
