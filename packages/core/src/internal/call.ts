import { HttpBody, type HttpClient, HttpClientRequest } from "@effect/platform"
import { Duration, Effect, Either, identity, Option, Redacted, Schedule } from "effect"
import { type FileBatchError, type InvalidArgumentError, TimeoutError } from "../FileBatchError.js"
import * as Operation from "../Operation.js"
import * as PathTemplate from "../PathTemplate.js"
import { provesNothingDone, RetryPolicy } from "../RetryPolicy.js"
import { makeAttempt } from "./attempt.js"
import type { Answer } from "./response.js"
import type { FileBatchSettings } from "./settings.js"
import { exports, refAttributes } from "./tracing.js"
import { userAgent } from "./version.js"

/** Per-call options; `FileBatchClient.RequestOptions` is this type, under its public name. */
export interface CallOptions {
  /** Extra request headers, e.g. `X-Client-Request-Id`. They cannot replace authentication. */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** Called as each HTTP attempt starts, retries included, however the call ends. */
  readonly onAttempt?: (() => void) | undefined
  /**
   * Asked before each retry: `false` ends the call with the last error instead (say,
   * when nobody waits for its answer any more). Absent: the retry policy alone decides.
   */
  readonly keepRetrying?: (() => boolean) | undefined
}

/** The query's text and the body of a call, checked against the operation's schemas. */
const encodeInput = (
  operation: Operation.Any,
  input: { readonly ref: unknown; readonly query?: unknown; readonly payload?: unknown },
  decoded: boolean
): Either.Either<
  { readonly query: Operation.QueryText | undefined; readonly body: HttpBody.HttpBody | undefined },
  InvalidArgumentError
> => {
  const query = operation.query !== undefined && input.query !== undefined
    ? Operation.encodeQuery(operation.query, input.query)
    : Either.right(undefined)
  if (Either.isLeft(query)) return Either.left(query.left)
  if (operation.payload === undefined) return Either.right({ query: query.right, body: undefined })
  if (decoded) return Either.right({ query: query.right, body: HttpBody.unsafeJson(input.payload) })
  return Either.map(
    Operation.checkPayload(operation.payload, input.payload),
    (payload) => ({ query: query.right, body: HttpBody.unsafeJson(payload) })
  )
}

/** The IDs checked and the input encoded; an input the caller decoded already (the proxy's) is not checked twice. */
const checkInput = (operation: Operation.Any, input: Operation.Input<Operation.Any>) => {
  const trusted = Operation.isDecoded(input)
  const problem = trusted ? undefined : operation.checkRef(input.ref)
  return problem !== undefined ? Either.left(problem) : encodeInput(operation, input, trusted)
}

const protectedHeaders = new Set(["authorization", "openai-organization", "openai-project", "host"])

/** Builds each call's request: the fixed headers (made once; per-call headers cannot replace them), URL and body. */
const makeRequestBuilder = (settings: FileBatchSettings) => {
  const secret = Redacted.value(settings.apiKey)
  const fixedHeaders: Record<string, string> = {
    accept: "application/json",
    "user-agent": userAgent,
    authorization: `Bearer ${secret}`,
    ...(Option.isSome(settings.organization) ? { "openai-organization": settings.organization.value } : {}),
    ...(Option.isSome(settings.project) ? { "openai-project": settings.project.value } : {})
  }
  return (
    operation: Operation.Any,
    ref: Operation.Ref,
    query: Operation.QueryText | undefined,
    body: HttpBody.HttpBody | undefined,
    options: CallOptions | undefined
  ) => {
    let headers = fixedHeaders
    if (options?.headers !== undefined) {
      headers = {}
      for (const name in options.headers) {
        const lower = name.toLowerCase()
        if (!protectedHeaders.has(lower)) headers[lower] = options.headers[name]!
      }
      for (const name in fixedHeaders) headers[name] = fixedHeaders[name]!
    }
    let url = `${settings.baseUrl}${PathTemplate.fill(operation.template, ref)}`
    if (query !== undefined) {
      const search = new URLSearchParams()
      for (const name in query) if (query[name] !== undefined) search.set(name, String(query[name]))
      if (search.size > 0) url += `?${search}`
    }
    return HttpClientRequest.make(operation.method)(url, body === undefined ? { headers } : { headers, body })
  }
}

/** The error of a call whose deadline ran out, naming the last failure. */
const gaveUp = (settings: FileBatchSettings, attempts: number, last: FileBatchError) =>
  new TimeoutError({
    reason: "deadline",
    timeoutMillis: Duration.toMillis(settings.deadline),
    message: `gave up after ${
      Duration.format(settings.deadline)
    } and ${attempts} attempt(s); last error: ${last.message}`
  })

/**
 * The answer a 404 to a resent delete stands for (the first attempt deleted it before its
 * answer was lost), as if that answer had come; undefined for any other failure.
 */
const goneAnswer = <Op extends Operation.Any>(
  operation: Op,
  ref: Operation.Ref,
  error: FileBatchError
): Answer<Operation.Success<Op>> | undefined => {
  if (error._tag !== "NotFoundError" || operation.goneWhenResent === undefined) return undefined
  const value = operation.goneWhenResent(ref) as Operation.Success<Op>
  const json: unknown = { ...(value as object) }
  return { value, json, text: JSON.stringify(json), requestId: error.requestId, pollAfterMillis: undefined }
}

/**
 * One call of an operation: the IDs checked, the request built, the first attempt run
 * bare, and the retry policy driven only once an attempt has failed, within the deadline.
 */
export const makeCall = (httpClient: HttpClient.HttpClient, settings: FileBatchSettings) => {
  const baseRequest = makeRequestBuilder(settings)
  const deadlineMillis = Duration.toMillis(settings.deadline)
  const { attempt, tracedAttempt } = makeAttempt(httpClient, settings)

  // The first attempt runs bare; the retry schedule is built once one has failed (measured in the proxy bench).
  const run = <Op extends Operation.Any>(
    operation: Op,
    input: Operation.Input<Op>,
    options: CallOptions | undefined,
    traced: boolean
  ) =>
    Effect.clockWith((
      clock
    ): Effect.Effect<Answer<Operation.Success<Op>> & { readonly attempts: number }, FileBatchError> => {
      const { ref } = input as { readonly ref: Operation.Ref }
      const encoded = checkInput(operation, input)
      if (Either.isLeft(encoded)) return Effect.fail(encoded.left)
      const startedAt = clock.unsafeCurrentTimeMillis()
      const request = baseRequest(operation, ref, encoded.right.query, encoded.right.body, options)
      let attempts = 1
      /** An attempt, in a span of its own when traced. */
      const attemptNow = (left: number, retryDelayMillis: number | undefined) =>
        traced
          ? tracedAttempt(request, left, clock, options?.onAttempt, operation, { number: attempts, retryDelayMillis })
          : attempt(request, left, clock, options?.onAttempt, operation)
      const remaining = Effect.sync(() => startedAt + deadlineMillis - clock.unsafeCurrentTimeMillis())
      const retryAfter = (firstError: FileBatchError) =>
        Effect.gen(function*() {
          const policy = yield* RetryPolicy
          const driver = yield* Schedule.driver(policy.schedule(settings.maxRetries))
          let last = firstError
          while (true) {
            // A call that may not be sent twice is sent again only when nothing was done.
            if (operation.replay === "once" && !provesNothingDone(last)) return yield* Effect.fail(last)
            yield* Effect.logDebug(`${operation.name} attempt ${attempts} failed: ${last._tag}: ${last.message}`)
            const before = yield* remaining
            const waitedFrom = clock.unsafeCurrentTimeMillis()
            const next = yield* Effect.either(
              driver.next(last).pipe(
                Effect.timeoutFail({ duration: Duration.millis(before), onTimeout: () => true })
              )
            )
            if (next._tag === "Left") {
              // The schedule is done (the error is final), or its delay outlasts the deadline.
              return yield* Effect.fail(next.left === true ? gaveUp(settings, attempts, last) : last)
            }
            // Asked as the retry would start, after its delay.
            if (options?.keepRetrying?.() === false) return yield* Effect.fail(last)
            attempts += 1
            const result = yield* Effect.either(
              Effect.flatMap(remaining, (left) => attemptNow(left, clock.unsafeCurrentTimeMillis() - waitedFrom))
            )
            if (result._tag === "Right") return result.right
            const gone = goneAnswer(operation, ref, result.left)
            if (gone !== undefined) return gone
            last = result.left
          }
        })
      return attemptNow(deadlineMillis, undefined).pipe(
        Effect.catchAll((error) =>
          error._tag === "TimeoutError" && error.reason === "deadline" ? Effect.fail(error) : retryAfter(error)
        ),
        Effect.map((answer) => ({ ...answer, attempts })),
        traced
          ? Effect.ensuring(Effect.suspend(() => Effect.annotateCurrentSpan("filebatch.attempts", attempts)))
          : identity
      )
    })

  // The operation's span, parent of its attempts: only when a tracer that exports is installed.
  const call = <Op extends Operation.Any>(
    operation: Op,
    input: Operation.Input<Op>,
    options: CallOptions | undefined
  ) =>
    Effect.tracerWith((tracer) =>
      exports(tracer)
        ? Effect.withSpan(run(operation, input, options, true), `filebatch.${operation.name}`, {
          attributes: refAttributes(input.ref as Operation.Ref),
          // The call site here is core's own, the same for every call: not worth a stack capture.
          captureStackTrace: false
        })
        : run(operation, input, options, false)
    )

  return call
}
