import { type HttpClient, type HttpClientError, HttpClientRequest } from "@effect/platform"
import { type Clock, Duration, Effect, Redacted, type Tracer } from "effect"
import * as AttemptLimit from "../AttemptLimit.js"
import { ConnectionError, TimeoutError } from "../FileBatchError.js"
import { interpret, type Reader, scrub } from "./response.js"
import type { FileBatchSettings } from "./settings.js"
import { isLiveTimer, timeoutFail } from "./timeout.js"
import { traceparent } from "./tracing.js"

const describeTransport = (error: HttpClientError.HttpClientError): string => {
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined
  const detail = typeof cause?.code === "string"
    ? cause.code
    : typeof cause?.message === "string"
    ? cause.message
    : error.reason
  let host = "the server"
  try {
    host = new URL(error.request.url).host
  } catch {
    // the request's URL is always absolute here; the generic words are a fallback
  }
  return error._tag === "ResponseError"
    ? `the connection to ${host} broke while reading the answer (${detail})`
    : `could not reach ${host} (${detail})`
}

// Codes of a connection that was never made: the request cannot have been received.
const notConnected = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"])

const codeOf = (error: HttpClientError.HttpClientError): string | undefined => {
  let cause = error.cause as { code?: unknown; cause?: unknown } | undefined
  for (let depth = 0; depth < 3 && cause !== undefined && cause !== null; depth++) {
    if (typeof cause.code === "string") return cause.code
    cause = cause.cause as typeof cause
  }
  return undefined
}

const stageOf = (error: HttpClientError.HttpClientError): "connect" | "answer" | undefined => {
  if (error._tag === "ResponseError") return "answer"
  const code = codeOf(error)
  return code !== undefined && notConnected.has(code) ? "connect" : undefined
}

const connectionError = (message: string, stage: "connect" | "answer" | undefined) =>
  new ConnectionError(stage === undefined ? { message } : { message, stage })

const recordAnswer = (span: Tracer.Span, response: { status: number; headers: Record<string, string> }) => {
  span.attribute("http.response.status_code", response.status)
  const requestId = response.headers["x-request-id"]
  if (requestId !== undefined) span.attribute("openai.request_id", requestId)
}

/**
 * One HTTP attempt of a client, bounded by the per-attempt timeout or what is left of
 * the deadline, its answer interpreted (a batch, or the typed error it means).
 */
export const makeAttempt = (httpClient: HttpClient.HttpClient, settings: FileBatchSettings) => {
  const secret = Redacted.value(settings.apiKey)
  const timeoutMillis = Duration.toMillis(settings.timeout)
  const deadlineMillis = Duration.toMillis(settings.deadline)

  // A client that enforces attempt limits itself spares core a fiber per attempt.
  const clientEnforcesLimits = AttemptLimit.isEnforcedBy(httpClient)

  /** One HTTP attempt, bounded by the per-attempt timeout or what is left of the deadline. */
  const attempt = <A>(
    request: HttpClientRequest.HttpClientRequest,
    remainingMillis: number,
    clock: Clock.Clock,
    onAttempt: (() => void) | undefined,
    reader: Reader<A>,
    span?: Tracer.Span
  ) => {
    const byDeadline = remainingMillis < timeoutMillis
    const limit = Math.max(0, byDeadline ? remainingMillis : timeoutMillis)
    const timedOut = () =>
      new TimeoutError(
        byDeadline
          ? {
            reason: "deadline",
            timeoutMillis: deadlineMillis,
            message: `no complete answer within the deadline of ${Duration.format(settings.deadline)}`
          }
          : {
            reason: "attempt",
            timeoutMillis,
            message: `no complete answer within ${Duration.format(settings.timeout)}`
          }
      )
    const limitedByClient = clientEnforcesLimits && isLiveTimer(clock, limit)
    // The attempt's span is the server's parent: the proxy, or OpenAI, joins the caller's trace.
    const sending = span === undefined
      ? request
      : HttpClientRequest.setHeader(request, "traceparent", traceparent(span))
    const executed = limitedByClient
      ? Effect.locally(httpClient.execute(sending), AttemptLimit.current, limit)
      : httpClient.execute(sending)
    const sent = onAttempt === undefined ? executed : Effect.zipRight(Effect.sync(onAttempt), executed)
    const answered = sent.pipe(
      Effect.flatMap((response) => {
        if (span !== undefined) recordAnswer(span, response)
        return Effect.map(response.text, (text) => ({ response, text }))
      }),
      Effect.mapError((error) =>
        error.cause instanceof AttemptLimit.Reached
          ? timedOut()
          : connectionError(scrub(describeTransport(error), secret), stageOf(error))
      )
    )
    return (limitedByClient ? answered : timeoutFail(answered, clock, limit, timedOut)).pipe(
      Effect.flatMap(({ response, text }) =>
        interpret(response, text, secret, () => clock.unsafeCurrentTimeMillis(), reader)
      )
    )
  }

  const host = URL.canParse(settings.baseUrl) ? new URL(settings.baseUrl).host : settings.baseUrl

  /** An attempt in a client span of its own (HTTP's conventions): its number, the delay before it, its answer. */
  const tracedAttempt = <A>(
    request: HttpClientRequest.HttpClientRequest,
    remainingMillis: number,
    clock: Clock.Clock,
    onAttempt: (() => void) | undefined,
    operation: Reader<A> & { readonly method: string; readonly path: string },
    { number, retryDelayMillis }: { readonly number: number; readonly retryDelayMillis: number | undefined }
  ) =>
    Effect.useSpan(`${operation.method} ${operation.path}`, {
      kind: "client",
      captureStackTrace: false,
      attributes: {
        "http.request.method": operation.method,
        "url.template": operation.path,
        "server.address": host,
        "filebatch.attempt": number,
        ...(number > 1 ? { "http.request.resend_count": number - 1 } : {}),
        ...(retryDelayMillis !== undefined ? { "filebatch.retry_delay_ms": retryDelayMillis } : {})
      }
    }, (span) => attempt(request, remainingMillis, clock, onAttempt, operation, span))

  return { attempt, tracedAttempt }
}
