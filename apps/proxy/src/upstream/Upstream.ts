/**
 * The upstream side of a request whose IDs, key and scope have been checked: the per-key
 * rate limit, coalescing of identical cancels, the bound on concurrent calls, the call
 * through core, and its answer in OpenAI's shape. What happened upstream comes back as
 * a value ({@link Forwarded}) for the access log, not through a shared record.
 */
import { FileBatchClient, FileBatchError, type Operation, PathTemplate } from "@filebatch/core"
import { Cause, Context, Effect, Either, Exit, Layer, Option } from "effect"
import * as Answers from "../answers.js"
import { Metrics, type MetricsService } from "../ops/Metrics.js"
import { currentSpanIds, spanEvent, SpanExport } from "../ops/spans.js"
import type { SpanIds } from "../shared/model.js"
import { type SharedAnswer, SharedState, type SharedStateService } from "../shared/SharedState.js"
import { makeCoalescer } from "./coalesce.js"
import { type Gate, type Shed, UpstreamGate } from "./gate.js"
import { type Admission, KeyRateLimit, type KeyRateLimitService } from "./keyRateLimit.js"

/** What to ask the upstream: an operation of core's table, with its IDs, query and payload, checked. */
export interface UpstreamCall {
  readonly operation: Operation.Any
  readonly input: Operation.Input<Operation.Any>
  /** The caller's W3C `tracestate`, passed on while tracing (core sends its own `traceparent`). */
  readonly traceState?: string | undefined
  /** The `traceparent` of a request whose trace is not sampled: core makes no span to send its own. */
  readonly unsampledParent?: string | undefined
}

/** What the proxy passes on of a successful answer: the body as received. */
type PassedOn = Pick<FileBatchClient.OperationResponse<unknown>, "text" | "requestId" | "pollAfterMillis">

/** A forwarded request: its answer, and what the access log says of the upstream side. */
export interface Forwarded {
  readonly answer: Answers.Answer
  /** HTTP attempts this request made upstream (0 when it shared another's call); undefined when none was due. */
  readonly attempts: number | undefined
  readonly coalesced: boolean | undefined
  readonly upstreamRequestId: string | undefined
  /** The span of the request whose call this one shared (tracing on, `coalesced` only). */
  readonly leader?: SpanIds | undefined
}

/** What the upstream side is made of, resolved once when the layer is built. */
interface Parts {
  readonly client: FileBatchClient.FileBatchClientService
  readonly rateLimit: KeyRateLimitService
  readonly metrics: MetricsService
  readonly gate: Gate
  /** Where identical cancels meet: this process, or every replica sharing Redis. */
  readonly sharedState: SharedStateService
  /** Whether spans are exported: only then are span events and links made. */
  readonly tracing: boolean
}

/** A request's upstream side: the answer, its own HTTP attempts, and whether it shared another's call. */
interface Outcome {
  readonly shared: SharedAnswer
  readonly attempts: number
  readonly coalesced: boolean
}

/** One call through core: how it ended and how many HTTP attempts it took. */
interface CallExit {
  readonly exit: Exit.Exit<PassedOn, FileBatchError.FileBatchError | Shed>
  readonly attempts: number
}

const traceHeaders = (requestId: string, traceState: string | undefined, unsampledParent: string | undefined) => {
  const headers: Record<string, string> = { "x-client-request-id": requestId }
  if (traceState !== undefined) headers["tracestate"] = traceState
  if (unsampledParent !== undefined) headers["traceparent"] = unsampledParent
  return headers
}

/** One call through core, within the bound on concurrent calls; every HTTP attempt is counted. */
const callThroughCore = (
  { client, gate, metrics }: Parts,
  { input, operation, traceState, unsampledParent }: UpstreamCall,
  requestId: string,
  stillWanted?: () => boolean
) =>
  Effect.suspend((): Effect.Effect<CallExit> => {
    let attempts = 0
    const options = {
      headers: traceHeaders(requestId, traceState, unsampledParent),
      onAttempt: () => attempts++,
      keepRetrying: stillWanted
    }
    return gate.run(
      client.execute(operation, input, options),
      (exit) => {
        const failure = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
        const outcome = Exit.isSuccess(exit) ? "ok" : Option.isSome(failure) ? failure.value._tag : undefined
        if (outcome !== undefined) metrics.upstreamCalls.inc({ operation: operation.name, outcome })
        metrics.upstreamAttempts.inc(attempts)
        if (attempts > 1) metrics.upstreamRetries.inc(attempts - 1)
      }
    ).pipe(Effect.exit, Effect.map((exit) => ({ exit, attempts })))
  })

/** A call's answer in OpenAI's shape (without this request's rate-limit headers). */
const answerOfExit = ({ gate, metrics, tracing }: Parts, { exit }: CallExit): SharedAnswer => {
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
    if (tracing) spanEvent("filebatch.shed", { "filebatch.upstream.queue": gate.waiting() })
    return { answer: Answers.shed(), upstreamRequestId: undefined }
  }
  return { answer: Answers.fromFileBatchError(failure), upstreamRequestId: FileBatchError.requestIdOf(failure) }
}

/** This request's own call: its answer and attempts (and, traced, its span for those who share it). */
const callHere = (parts: Parts, call: UpstreamCall, requestId: string, stillWanted?: () => boolean) =>
  Effect.map(callThroughCore(parts, call, requestId, stillWanted), (callExit): Outcome => {
    const shared = answerOfExit(parts, callExit)
    const leader = parts.tracing ? currentSpanIds() : undefined
    return {
      shared: leader === undefined ? shared : { ...shared, leader },
      attempts: callExit.attempts,
      coalesced: false
    }
  })

const failedShare = (coalesced: boolean): Outcome => ({
  shared: { answer: Answers.unexpected(), upstreamRequestId: undefined },
  attempts: 0,
  coalesced
})

/**
 * The call, shared by identical calls in flight when its operation allows (a cancel:
 * sending it twice does what sending it once does): in this process first, then across
 * replicas when they share Redis. Reads and creates are never shared: a client following
 * a batch always gets a fresh snapshot, and each create is its caller's own. A shared
 * call whose callers have all gone finishes the attempt in flight (it may already have
 * taken effect) but starts no retry — unless it holds the lock across replicas: callers
 * on other replicas may be waiting for it, and this replica cannot see them. An unshared
 * call whose caller has gone is aborted.
 */
const callShared = (
  parts: Parts,
  coalescer: ReturnType<typeof makeCoalescer<Outcome, never>>,
  call: UpstreamCall,
  requestId: string
): Effect.Effect<Outcome> => {
  if (!call.operation.coalesce) return callHere(parts, call, requestId)
  // The path names the operation and its IDs, already encoded.
  const key = PathTemplate.fill(call.operation.template, call.input.ref)
  const acrossReplicas = (stillWanted: () => boolean) =>
    Effect.map(
      parts.sharedState.acrossReplicas(
        key,
        (othersMayWait) => callHere(parts, call, requestId, othersMayWait ? undefined : stillWanted),
        (outcome) => outcome.shared
      ),
      (result): Outcome =>
        result._tag === "Here" ? result.value : { shared: result.shared, attempts: 0, coalesced: true }
    )
  return Effect.map(
    coalescer.run(key, acrossReplicas),
    ({ coalesced, exit }): Outcome =>
      Exit.isSuccess(exit)
        ? coalesced ? { ...exit.value, attempts: 0, coalesced: true } : exit.value
        : failedShare(coalesced)
  )
}

/** The outcome as this request's answer, with its rate-limit headers. */
const answerOf = (metrics: MetricsService, outcome: Outcome, rateHeaders: Record<string, string> | undefined) => {
  if (outcome.coalesced) metrics.coalesced.inc()
  const { answer, leader, upstreamRequestId } = outcome.shared
  return {
    // A shared answer is never changed in place: each request adds its own headers to a copy.
    answer: rateHeaders === undefined ? answer : { ...answer, headers: { ...answer.headers, ...rateHeaders } },
    attempts: outcome.attempts,
    coalesced: outcome.coalesced,
    upstreamRequestId,
    leader: outcome.coalesced ? leader : undefined
  } satisfies Forwarded
}

const notForwarded = (answer: Answers.Answer): Forwarded => ({
  answer,
  attempts: undefined,
  coalesced: undefined,
  upstreamRequestId: undefined
})

const traceAdmission = (admission: Admission) =>
  spanEvent("filebatch.rate_limit", {
    "filebatch.rate_limit.admitted": Either.isRight(admission),
    "filebatch.rate_limit.remaining": Either.isRight(admission)
      ? Number(admission.right?.["x-ratelimit-remaining-requests"] ?? NaN)
      : 0
  })

export interface UpstreamService {
  /** The answer for an authorised request: the key's rate limit, then the (shared) call. */
  readonly forward: (key: string, call: UpstreamCall, requestId: string) => Effect.Effect<Forwarded>
}

export class Upstream extends Context.Tag("@filebatch/proxy/Upstream")<Upstream, UpstreamService>() {}

export const make = (parts: Parts): UpstreamService => {
  const coalescer = makeCoalescer<Outcome, never>()
  const { metrics, rateLimit, tracing } = parts
  const forward = (key: string, call: UpstreamCall, requestId: string): Effect.Effect<Forwarded> => {
    // Without a limit the call goes on at once: no Effect step spent on the limit.
    if (!rateLimit.limited) {
      return Effect.map(
        callShared(parts, coalescer, call, requestId),
        (outcome) => answerOf(metrics, outcome, undefined)
      )
    }
    return Effect.flatMap(rateLimit.admit(key), (admission) => {
      if (tracing) traceAdmission(admission)
      return Either.isLeft(admission)
        ? Effect.succeed(notForwarded(admission.left))
        : Effect.map(
          callShared(parts, coalescer, call, requestId),
          (outcome) => answerOf(metrics, outcome, admission.right)
        )
    })
  }
  return { forward }
}

export const layer: Layer.Layer<
  Upstream,
  never,
  FileBatchClient.FileBatchClient | KeyRateLimit | Metrics | UpstreamGate | SharedState | SpanExport
> = Layer.effect(
  Upstream,
  Effect.gen(function*() {
    const metrics = yield* Metrics
    const gate = yield* UpstreamGate
    metrics.gaugeReading("upstream_in_flight", "Upstream calls in flight", gate.active)
    return make({
      client: yield* FileBatchClient.FileBatchClient,
      rateLimit: yield* KeyRateLimit,
      metrics,
      gate,
      sharedState: yield* SharedState,
      tracing: (yield* SpanExport).on
    })
  })
)
