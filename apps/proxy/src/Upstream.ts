/**
 * The upstream side of a request whose IDs, key and scope have been checked: the per-key
 * rate limit, coalescing of identical cancels, the bound on concurrent calls, the call
 * through core, and its answer in OpenAI's shape.
 */
import type { RateLimiter } from "@effect/experimental"
import { type FileBatchClient, FileBatchError } from "@filebatch/core"
import { Cause, Duration, Effect, Exit, Option } from "effect"
import * as Answers from "./internal/answers.js"
import { makeCoalescer } from "./internal/coalesce.js"
import type { Gate, Shed } from "./internal/gate.js"
import type { Metrics } from "./Metrics.js"
import type { ProxySettings } from "./ProxyConfig.js"

export type Operation = FileBatchClient.Operation

/** What a request's access log line says, filled in as the request goes. */
export interface LogFields {
  key?: string
  route: string
  vectorStoreId?: string
  batchId?: string
  attempts?: number
  coalesced?: boolean
  upstreamRequestId?: string
}

export interface UpstreamDeps {
  readonly settings: ProxySettings
  readonly client: FileBatchClient.FileBatchClientService
  readonly rateLimiter: RateLimiter.RateLimiter
  readonly metrics: Metrics
  /** The bound on concurrent upstream calls; its permits in use are the calls in flight. */
  readonly gate: Gate
}

type UpstreamResult = FileBatchClient.FileBatchResponse

/** `limited(key, operation, ref, requestId, log)`: the answer for an authorised request. */
export const makeUpstream = (deps: UpstreamDeps) => {
  const { client, gate, metrics, rateLimiter, settings } = deps
  const coalescer = makeCoalescer<UpstreamResult, FileBatchError.FileBatchError | Shed>()
  const windowMillis = Duration.toMillis(settings.rateLimitWindow)

  /** One upstream call; its HTTP attempts, retries included, go to the metrics and the leader's log line. */
  const upstream = (
    operation: Operation,
    ref: { vectorStoreId: string; batchId: string },
    requestId: string,
    log: LogFields
  ) =>
    Effect.suspend(() => {
      // Every HTTP attempt, retries included, whether the call ends well or not.
      const attempts = { count: 0 }
      return gate.run(
        client.execute(operation, ref, {
          headers: { "x-client-request-id": requestId },
          onAttempt: () => attempts.count++
        }),
        (exit) => {
          const failure = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
          const outcome = Exit.isSuccess(exit) ? "ok" : Option.isSome(failure) ? failure.value._tag : undefined
          if (outcome !== undefined) metrics.upstreamCalls.inc({ operation, outcome })
          metrics.upstreamAttempts.inc(attempts.count)
          if (attempts.count > 1) metrics.upstreamRetries.inc(attempts.count - 1)
          log.attempts = attempts.count
        }
      )
    })

  /** The upstream call (shared by identical cancels in flight) and its answer in OpenAI's shape. */
  const callUpstream = (
    operation: Operation,
    ref: { vectorStoreId: string; batchId: string },
    requestId: string,
    log: LogFields,
    rateHeaders: Record<string, string>
  ): Effect.Effect<Answers.Answer> =>
    // Identical cancels in flight share one upstream call; reads are not shared, so a
    // client following a batch always gets a fresh snapshot.
    Effect.map(
      operation === "cancel"
        ? coalescer.run(`${ref.vectorStoreId} ${ref.batchId}`, upstream(operation, ref, requestId, log))
        : Effect.map(Effect.exit(upstream(operation, ref, requestId, log)), (exit) => ({
          exit,
          coalesced: false
        })),
      ({ coalesced, exit }): Answers.Answer => {
        log.coalesced = coalesced
        if (coalesced) {
          metrics.coalesced.inc()
          log.attempts = 0
        }
        if (Exit.isSuccess(exit)) {
          const response = exit.value
          if (response.requestId !== undefined) log.upstreamRequestId = response.requestId
          const headers: Record<string, string> = { ...rateHeaders }
          if (response.requestId !== undefined) headers["openai-request-id"] = response.requestId
          if (response.pollAfterMillis !== undefined) {
            headers["openai-poll-after-ms"] = String(response.pollAfterMillis)
          }
          return { status: 200, body: response.text, headers }
        }
        const failure = Option.getOrUndefined(Cause.failureOption(exit.cause))
        if (failure === undefined) return Answers.unexpected()
        if (failure._tag === "Shed") {
          metrics.shed.inc()
          return Answers.errorAnswer(503, "Too many requests are waiting for the upstream; retry shortly.", {
            code: "overloaded",
            headers: { "retry-after": "1" }
          })
        }
        const upstreamRequestId = FileBatchError.requestIdOf(failure)
        if (upstreamRequestId !== undefined) log.upstreamRequestId = upstreamRequestId
        const answer = Answers.fromFileBatchError(failure)
        return { ...answer, headers: { ...answer.headers, ...rateHeaders } }
      }
    )

  /** The per-key rate limit, then the upstream call. */
  const limited = (
    key: string,
    operation: Operation,
    ref: { vectorStoreId: string; batchId: string },
    requestId: string,
    log: LogFields
  ): Effect.Effect<Answers.Answer> => {
    const limit = settings.rateLimit
    if (limit === undefined) return callUpstream(operation, ref, requestId, log, {})
    return Effect.flatMap(
      Effect.either(rateLimiter.consume({
        algorithm: "token-bucket",
        onExceeded: "fail",
        window: settings.rateLimitWindow,
        limit,
        key
      })),
      (consumed) => {
        const rateHeaders: Record<string, string> = { "x-ratelimit-limit-requests": String(limit) }
        if (consumed._tag === "Left") {
          const error = consumed.left
          const retryAfterMillis = error.reason === "Exceeded" ? Duration.toMillis(error.retryAfter) : windowMillis
          metrics.rateLimited.inc({ key })
          return Effect.succeed(Answers.errorAnswer(
            429,
            `Rate limit reached for key '${key}': ${limit} requests per ${
              Duration.format(settings.rateLimitWindow)
            }. Please try again in ${(retryAfterMillis / 1000).toFixed(1)}s.`,
            {
              type: "requests",
              code: "rate_limit_exceeded",
              headers: {
                ...rateHeaders,
                "x-ratelimit-remaining-requests": "0",
                "x-ratelimit-reset-requests": `${Math.ceil(retryAfterMillis)}ms`,
                "retry-after": String(Math.max(1, Math.ceil(retryAfterMillis / 1000)))
              }
            }
          ))
        }
        rateHeaders["x-ratelimit-remaining-requests"] = String(consumed.right.remaining)
        rateHeaders["x-ratelimit-reset-requests"] = `${Duration.toMillis(consumed.right.resetAfter)}ms`
        return callUpstream(operation, ref, requestId, log, rateHeaders)
      }
    )
  }

  return { limited }
}
