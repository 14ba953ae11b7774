/**
 * Every way a file batch call can fail, one class per situation a caller handles
 * differently. Upstream errors carry the HTTP status, OpenAI's error fields and the
 * `x-request-id`; none of them ever holds the API key.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * Fields shared by errors that come from an HTTP answer.
 *
 * @since 0.1.0
 * @category constants
 */
export const UpstreamErrorFields = {
  /** HTTP status of the answer. */
  status: Schema.Int,
  /** OpenAI's `error.message`, or a description of the status when the body had none. */
  message: Schema.String,
  /** OpenAI's `error.type`, e.g. `invalid_request_error`. */
  type: Schema.optional(Schema.String),
  /** OpenAI's `error.param`. */
  param: Schema.optional(Schema.NullOr(Schema.String)),
  /** OpenAI's `error.code`. */
  code: Schema.optional(Schema.NullOr(Schema.String)),
  /** The `x-request-id` header, to quote to OpenAI support. */
  requestId: Schema.optional(Schema.String),
  /** The delay the server asked for (`retry-after-ms`, then `retry-after`), in milliseconds. */
  retryAfterMillis: Schema.optional(Schema.Number),
  /** The server's `x-should-retry` header, when it sent one. */
  shouldRetry: Schema.optional(Schema.Boolean)
}

/**
 * A local check failed (a malformed or swapped ID, a bad option); nothing was sent.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidArgumentError extends Schema.TaggedError<InvalidArgumentError>()("InvalidArgumentError", {
  argument: Schema.String,
  message: Schema.String
}) {}

/**
 * 401: the API key is missing, wrong or revoked.
 *
 * @since 0.1.0
 * @category errors
 */
export class AuthenticationError
  extends Schema.TaggedError<AuthenticationError>()("AuthenticationError", UpstreamErrorFields)
{}

/**
 * 403: the key may not touch this resource (organisation, project or region).
 *
 * @since 0.1.0
 * @category errors
 */
export class PermissionDeniedError
  extends Schema.TaggedError<PermissionDeniedError>()("PermissionDeniedError", UpstreamErrorFields)
{}

/**
 * 404: no such vector store or batch for this key.
 *
 * @since 0.1.0
 * @category errors
 */
export class NotFoundError extends Schema.TaggedError<NotFoundError>()("NotFoundError", UpstreamErrorFields) {}

/**
 * 409: the batch is in a state that conflicts with the request.
 *
 * @since 0.1.0
 * @category errors
 */
export class ConflictError extends Schema.TaggedError<ConflictError>()("ConflictError", UpstreamErrorFields) {}

/**
 * 400, 422 and other 4xx answers: the server refused the request as malformed.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidRequestError
  extends Schema.TaggedError<InvalidRequestError>()("InvalidRequestError", UpstreamErrorFields)
{}

/**
 * 429: too many requests or quota exhausted; `retryAfterMillis` holds the server's delay.
 *
 * @since 0.1.0
 * @category errors
 */
export class RateLimitError extends Schema.TaggedError<RateLimitError>()("RateLimitError", UpstreamErrorFields) {}

/**
 * 5xx: the server failed.
 *
 * @since 0.1.0
 * @category errors
 */
export class ServerError extends Schema.TaggedError<ServerError>()("ServerError", UpstreamErrorFields) {}

/**
 * A time limit ran out: one attempt (`attempt`), the overall deadline including
 * retries (`deadline`), or a 408 from the server (`server`).
 *
 * @since 0.1.0
 * @category errors
 */
export class TimeoutError extends Schema.TaggedError<TimeoutError>()("TimeoutError", {
  reason: Schema.Literal("attempt", "deadline", "server"),
  timeoutMillis: Schema.optional(Schema.Number),
  status: Schema.optional(Schema.Int),
  requestId: Schema.optional(Schema.String),
  message: Schema.String
}) {}

/**
 * The batch did not reach a terminal status within the maximum wait.
 *
 * @since 0.1.0
 * @category errors
 */
export class WaitTimeoutError extends Schema.TaggedError<WaitTimeoutError>()("WaitTimeoutError", {
  vectorStoreId: Schema.String,
  batchId: Schema.String,
  maxWaitMillis: Schema.Number,
  lastStatus: Schema.optional(Schema.String),
  message: Schema.String
}) {}

/**
 * The server could not be reached, or the connection broke before a full answer.
 *
 * @since 0.1.0
 * @category errors
 */
export class ConnectionError extends Schema.TaggedError<ConnectionError>()("ConnectionError", {
  message: Schema.String,
  /**
   * `connect` when no connection was made (refused, no such host): nothing was sent.
   * `answer` when the connection broke while the answer was being read (its status had
   * come): the request may have taken effect, and like the official SDK core does not
   * retry it. Absent: the request got no answer, and may or may not have been received.
   */
  stage: Schema.optional(Schema.Literal("connect", "answer"))
}) {}

/**
 * The answer was not what the API promises: not JSON, or JSON that does not match
 * the batch schema. Holds the status and a short excerpt of the body.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnexpectedResponseError extends Schema.TaggedError<UnexpectedResponseError>()(
  "UnexpectedResponseError",
  {
    status: Schema.Int,
    requestId: Schema.optional(Schema.String),
    contentType: Schema.optional(Schema.String),
    excerpt: Schema.String,
    message: Schema.String
  }
) {}

/**
 * Errors that come from an HTTP status the server chose.
 *
 * @since 0.1.0
 * @category models
 */
export type UpstreamStatusError =
  | AuthenticationError
  | PermissionDeniedError
  | NotFoundError
  | ConflictError
  | InvalidRequestError
  | RateLimitError
  | ServerError

/**
 * Everything a single cancel or retrieve can fail with.
 *
 * @since 0.1.0
 * @category models
 */
export type FileBatchError =
  | InvalidArgumentError
  | UpstreamStatusError
  | TimeoutError
  | ConnectionError
  | UnexpectedResponseError

/**
 * Schema of {@link FileBatchError}, e.g. to send errors across a wire.
 *
 * @since 0.1.0
 * @category schemas
 */
export const FileBatchError = Schema.Union(
  InvalidArgumentError,
  AuthenticationError,
  PermissionDeniedError,
  NotFoundError,
  ConflictError,
  InvalidRequestError,
  RateLimitError,
  ServerError,
  TimeoutError,
  ConnectionError,
  UnexpectedResponseError
)

/**
 * What following a batch can fail with: a request error, or the maximum wait.
 *
 * @since 0.1.0
 * @category models
 */
export type FileBatchWaitError = FileBatchError | WaitTimeoutError

/**
 * Schema of {@link FileBatchWaitError}.
 *
 * @since 0.2.0
 * @category schemas
 */
export const FileBatchWaitError = Schema.Union(FileBatchError, WaitTimeoutError)

/**
 * Whether a value is one of core's errors (a request error or the maximum wait), so that
 * an app can tell them from its own without listing their tags.
 *
 * @since 0.2.0
 * @category guards
 */
export const isFileBatchWaitError: (value: unknown) => value is FileBatchWaitError = Schema.is(FileBatchWaitError)

/**
 * The HTTP status behind an error, when there is one.
 *
 * @since 0.1.0
 * @category getters
 */
export const statusOf = (error: FileBatchError | WaitTimeoutError): number | undefined =>
  "status" in error ? error.status : undefined

/**
 * The `x-request-id` behind an error, when there is one.
 *
 * @since 0.1.0
 * @category getters
 */
export const requestIdOf = (error: FileBatchError | WaitTimeoutError): string | undefined =>
  "requestId" in error ? error.requestId : undefined
