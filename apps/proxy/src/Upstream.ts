/**
 * The upstream side of a request whose IDs, key and scope have been checked: the per-key
 * rate limit, coalescing of identical cancels, the bound on concurrent calls, the call
 * through core, and its answer in OpenAI's shape. What happened upstream comes back as
 * a value ({@link Forwarded}) for the access log, not through a shared record.
 */
import type { RateLimiter } from "@effect/experimental"
import { type FileBatchClient, FileBatchError, type FileBatchId, type VectorStoreFile } from "@filebatch/core"
import { Cause, Duration, Effect, Exit, Option } from "effect"
import * as Answers from "./internal/answers.js"
import { makeCoalescer } from "./internal/coalesce.js"
import type { Gate, Shed } from "./internal/gate.js"
import type { Metrics } from "./Metrics.js"
import type { ProxySettings } from "./ProxyConfig.js"
import type { SharedAnswer, SharedStateService } from "./SharedState.js"

export type Operation = FileBatchClient.Operation

/** What to ask the upstream: an operation, with the list's query for `listFiles`. */
export interface Ask {
  readonly operation: Operation
  readonly query: VectorStoreFile.ListFilesQuery | undefined
}

/** What the proxy passes on of a successful answer. */
type Passed = Pick<FileBatchClient.FileBatchResponse, "text" | "requestId" | "pollAfterMillis">

/** A forwarded request: its answer, and what the access log says of the upstream side. */
export interface Forwarded {
  readonly answer: Answers.Answer
  /** HTTP attempts this request made upstream (0 when it shared another's call); undefined when none was due. */
  readonly attempts: number | undefined
  readonly coalesced: boolean | undefined
  readonly upstreamRequestId: string | undefined
}

export interface UpstreamDeps {
  readonly settings: ProxySettings
  readonly client: FileBatchClient.FileBatchClientService
  readonly rateLimiter: RateLimiter.RateLimiter
  readonly metrics: Metrics
  /** The bound on concurrent upstream calls; its permits in use are the calls in flight. */
  readonly gate: Gate
  /** Where identical cancels meet: this process, or every replica sharing Redis. */
  readonly sharedState: SharedStateService
}

/** A request's upstream side: the answer, its own HTTP attempts, and whether it shared another's call. */
interface Outcome {
  readonly shared: SharedAnswer
  readonly attempts: number
  readonly coalesced: boolean
}

/** One call through core: how it ended and how many HTTP attempts it took. */
interface Called {
  readonly exit: Exit.Exit<Passed, FileBatchError.FileBatchError | Shed>
  readonly attempts: number
}

/** `forward(key, operation, ref, requestId)`: the answer for an authorised request. */
export const makeUpstream = (deps: UpstreamDeps) => {
  const { client, gate, metrics, rateLimiter, settings, sharedState } = deps
  const coalescer = makeCoalescer<Outcome, never>()

  /** One call through core, within the bound on concurrent calls; every HTTP attempt is counted. */
  const callThroughCore = (
    { operation, query }: Ask,
    ref: FileBatchId.FileBatchRef,
    requestId: string,
    stillWanted?: () => boolean
  ) =>
    Effect.suspend((): Effect.Effect<Called> => {
      let attempts = 0
      const options = {
        headers: { "x-client-request-id": requestId },
        onAttempt: () => attempts++,
        keepRetrying: stillWanted
      }
      const call: Effect.Effect<Passed, FileBatchError.FileBatchError> = operation === "listFiles"
        ? client.listFiles(ref, query, options)
        : client.execute(operation, ref, options)
      return gate.run(
        call,
        (exit) => {
          const failure = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
          const outcome = Exit.isSuccess(exit) ? "ok" : Option.isSome(failure) ? failure.value._tag : undefined
          if (outcome !== undefined) metrics.upstreamCalls.inc({ operation, outcome })
          metrics.upstreamAttempts.inc(attempts)
          if (attempts > 1) metrics.upstreamRetries.inc(attempts - 1)
        }
      ).pipe(Effect.exit, Effect.map((exit) => ({ exit, attempts })))
    })

  /** A call's answer in OpenAI's shape (without this request's rate-limit headers). */
  const settle = (called: Called): SharedAnswer => {
    const { exit } = called
    if (Exit.isSuccess(exit)) {
      const response = exit.value
      const headers: Record<string, string> = {}
      if (response.requestId !== undefined) headers["openai-request-id"] = response.requestId
      if (response.pollAfterMillis !== undefined) headers["openai-poll-after-ms"] = String(response.pollAfterMillis)
      return { answer: { status: 200, body: response.text, headers }, upstreamRequestId: response.requestId }
    }
    const failure = Option.getOrUndefined(Cause.failureOption(exit.cause))
    if (failure === undefined) return { answer: Answers.unexpected(), upstreamRequestId: undefined }
    if (failure._tag === "Shed") {
      metrics.shed.inc()
      return { answer: Answers.shed(), upstreamRequestId: undefined }
    }
    return { answer: Answers.fromFileBatchError(failure), upstreamRequestId: FileBatchError.requestIdOf(failure) }
  }

  /** This request's own call: its answer and attempts. */
  const callHere = (ask: Ask, ref: FileBatchId.FileBatchRef, requestId: string, stillWanted?: () => boolean) =>
    Effect.map(callThroughCore(ask, ref, requestId, stillWanted), (called): Outcome => ({
      shared: settle(called),
      attempts: called.attempts,
      coalesced: false
    }))

  /**
   * The call, shared by identical cancels in flight (a cancel is idempotent): in this
   * process first, then across replicas when they share Redis. Reads are never shared, so
   * a client following a batch always gets a fresh snapshot. A cancel whose callers have
   * all gone finishes the attempt in flight (the cancel may already have taken effect) but
   * starts no retry — unless it holds the lock across replicas: callers on other replicas
   * may be waiting for it, and this replica cannot see them; a read whose caller has gone
   * is aborted.
   */
  const callShared = (ask: Ask, ref: FileBatchId.FileBatchRef, requestId: string): Effect.Effect<Outcome> => {
    if (ask.operation !== "cancel") return callHere(ask, ref, requestId)
    const key = `${ref.vectorStoreId}/${ref.batchId}`
    return Effect.map(
      coalescer.run(key, (stillWanted) =>
        Effect.map(
          sharedState.acrossReplicas(
            key,
            (othersMayWait) => callHere(ask, ref, requestId, othersMayWait ? undefined : stillWanted),
            (outcome) => outcome.shared
          ),
          (result): Outcome =>
            result._tag === "Here" ? result.value : { shared: result.shared, attempts: 0, coalesced: true }
        )),
      ({ coalesced, exit }): Outcome =>
        Exit.isSuccess(exit)
          ? coalesced ? { ...exit.value, attempts: 0, coalesced: true } : exit.value
          : { shared: { answer: Answers.unexpected(), upstreamRequestId: undefined }, attempts: 0, coalesced }
    )
  }

  /** The outcome as this request's answer, with its rate-limit headers. */
  const answerOf = (outcome: Outcome, rateHeaders: Record<string, string> | undefined): Forwarded => {
    if (outcome.coalesced) metrics.coalesced.inc()
    const { answer, upstreamRequestId } = outcome.shared
    return {
      // A shared answer is never changed in place: each request adds its own headers to a copy.
      answer: rateHeaders === undefined ? answer : { ...answer, headers: { ...answer.headers, ...rateHeaders } },
      attempts: outcome.attempts,
      coalesced: outcome.coalesced,
      upstreamRequestId
    }
  }

  const notForwarded = (answer: Answers.Answer): Forwarded => ({
    answer,
    attempts: undefined,
    coalesced: undefined,
    upstreamRequestId: undefined
  })

  /** The per-key rate limit, then the (shared) call. */
  const forward = (
    key: string,
    ask: Ask,
    ref: FileBatchId.FileBatchRef,
    requestId: string
  ): Effect.Effect<Forwarded> => {
    const limit = settings.rateLimit
    if (limit === undefined) {
      return Effect.map(
        callShared(ask, ref, requestId),
        (outcome) => answerOf(outcome, undefined)
      )
    }
    return Effect.flatMap(
      Effect.either(rateLimiter.consume({
        algorithm: "token-bucket",
        onExceeded: "fail",
        window: settings.rateLimitWindow,
        limit,
        key
      })),
      (consumed) => {
        if (consumed._tag === "Left") {
          const error = consumed.left
          // The shared store unreachable and the limit failing closed: refused, but not the caller's fault.
          if (error.reason !== "Exceeded") return Effect.succeed(notForwarded(Answers.rateLimitUnavailable()))
          metrics.rateLimited.inc({ key })
          return Effect.succeed(
            notForwarded(Answers.rateLimited(key, limit, settings.rateLimitWindow, Duration.toMillis(error.retryAfter)))
          )
        }
        const rateHeaders: Record<string, string> = {
          "x-ratelimit-limit-requests": String(limit),
          "x-ratelimit-remaining-requests": String(consumed.right.remaining),
          "x-ratelimit-reset-requests": `${Duration.toMillis(consumed.right.resetAfter)}ms`
        }
        return Effect.map(
          callShared(ask, ref, requestId),
          (outcome) => answerOf(outcome, rateHeaders)
        )
      }
    )
  }

  return { forward }
}
