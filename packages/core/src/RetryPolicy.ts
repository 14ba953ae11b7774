/**
 * When and how long to wait before retrying a failed call. The policy is a
 * `Schedule` fed with each attempt's error; replace it with `RetryPolicy.layer` or
 * `Effect.provideService(RetryPolicy, …)`.
 *
 * @since 0.1.0
 */
import { Context, Duration, Effect, Layer, Random, Schedule } from "effect"
import { byStatus, statusRule } from "./ErrorTable.js"
import type { FileBatchError } from "./FileBatchError.js"

/**
 * Statuses that are never retried, whatever the server's `x-should-retry` says: the
 * same request cannot succeed later (from `ErrorTable.byStatus`).
 *
 * @since 0.1.0
 * @category constants
 */
export const neverRetriedStatuses: ReadonlySet<number> = new Set(
  Object.keys(byStatus).map(Number).filter((status) => byStatus[status].retry === "never")
)

/**
 * Server-given delays above this are ignored in favour of the policy's backoff, as the
 * official SDK does.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxServerDelay = Duration.seconds(60)

/**
 * The official SDK's rule: retry timeouts, connection failures, 408, 409, 429 and
 * every 5xx; an `x-should-retry` header overrides, except that 400, 401, 403, 404 and
 * 422 are never retried; local errors and malformed answers are never retried.
 *
 * @since 0.1.0
 * @category guards
 */
export const isRetryable = (error: FileBatchError): boolean => {
  switch (error._tag) {
    case "InvalidArgumentError":
    case "UnexpectedResponseError":
      return false
    case "ConnectionError":
      return error.stage !== "answer"
    case "TimeoutError":
      return error.reason !== "deadline"
    default: {
      const { retry } = statusRule(error.status)
      if (retry === "never") return false
      if (error.shouldRetry !== undefined) return error.shouldRetry
      return retry === "yes"
    }
  }
}

/**
 * Whether a failure proves that the request did nothing, so that even a call that may
 * not be sent twice (a create) can be sent again: a 429, an answer whose `x-should-retry`
 * says to retry, or a connection that was never made. A timeout, a reset after the
 * request was sent, or a 5xx prove nothing: the first request may have been accepted.
 *
 * @since 0.3.0
 * @category guards
 */
export const provesNothingDone = (error: FileBatchError): boolean => {
  switch (error._tag) {
    case "RateLimitError":
      return error.shouldRetry !== false
    case "ConnectionError":
      return error.stage === "connect"
    case "InvalidArgumentError":
    case "UnexpectedResponseError":
    case "TimeoutError":
      return false
    default:
      return error.shouldRetry === true
  }
}

/**
 * The delay the server asked for, when it is above zero and at most {@link maxServerDelay}.
 *
 * @since 0.1.0
 * @category getters
 */
export const serverDelay = (error: FileBatchError): Duration.Duration | undefined => {
  const millis = "retryAfterMillis" in error ? error.retryAfterMillis : undefined
  if (millis === undefined || !(millis > 0) || millis > Duration.toMillis(maxServerDelay)) return undefined
  return Duration.millis(millis)
}

/**
 * A retry policy: from the number of retries allowed, the schedule of one call.
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryPolicyShape {
  readonly schedule: (maxRetries: number) => Schedule.Schedule<unknown, FileBatchError>
}

/**
 * Options of {@link standard}.
 *
 * @since 0.1.0
 * @category models
 */
export interface StandardOptions {
  /** First backoff delay (default 0.5 s), doubled on each retry. */
  readonly initialDelay?: Duration.DurationInput
  /** Largest backoff delay (default 8 s). */
  readonly maxDelay?: Duration.DurationInput
  /** Part of each backoff delay taken off at random (default 0.25, as the official SDK). */
  readonly jitter?: number
  /** Which errors are retried (default {@link isRetryable}). */
  readonly retryWhen?: (error: FileBatchError) => boolean
}

/**
 * Exponential backoff with jitter, honouring the server's delay and `x-should-retry`.
 * With no options it matches the official SDK.
 *
 * @since 0.1.0
 * @category constructors
 */
export const standard = (options: StandardOptions = {}): RetryPolicyShape => {
  const initialDelay = Duration.decode(options.initialDelay ?? "500 millis")
  const maxDelay = Duration.decode(options.maxDelay ?? "8 seconds")
  const jitter = options.jitter ?? 0.25
  const retryWhen = options.retryWhen ?? isRetryable
  return {
    schedule: (maxRetries) =>
      Schedule.exponential(initialDelay, 2).pipe(
        Schedule.intersect(Schedule.recurs(maxRetries)),
        Schedule.intersect(Schedule.identity<FileBatchError>()),
        Schedule.whileInput(retryWhen),
        Schedule.modifyDelayEffect(([, error], delay) => {
          const fromServer = serverDelay(error)
          if (fromServer !== undefined) return Effect.succeed(fromServer)
          const capped = Duration.min(delay, maxDelay)
          return Effect.map(Random.next, (r) => Duration.times(capped, 1 - r * jitter))
        })
      )
  }
}

/**
 * No retries at all.
 *
 * @since 0.1.0
 * @category constructors
 */
export const none: RetryPolicyShape = { schedule: () => Schedule.stop }

/**
 * The retry policy in use; {@link standard} unless replaced.
 *
 * @since 0.1.0
 * @category tags
 */
export class RetryPolicy extends Context.Reference<RetryPolicy>()("@filebatch/core/RetryPolicy", {
  defaultValue: (): RetryPolicyShape => standard()
}) {}

/**
 * Replaces the retry policy.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (policy: RetryPolicyShape): Layer.Layer<never> => Layer.succeed(RetryPolicy, policy)
