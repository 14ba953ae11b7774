/**
 * A request's server span, made only while tracing is on (`FILEBATCH` never pays for a span
 * it does not export: docs/benchmarks.md). Its name is the route template, never the IDs; the
 * caller's `traceparent` is its parent; what handling learnt (key name, IDs, attempts, the
 * leader of a shared call) becomes its attributes and links, and its IDs go to the access log.
 */
import { RemoteParent } from "@filebatch/telemetry"
import { Data, Effect, Option, Tracer } from "effect"
import { untraced } from "../ops/spans.js"
import type { RequestFacts } from "./accessLine.js"
import type { ApiMatch } from "./apiMatch.js"
import type { Handled } from "./handled.js"
import type { ProxyRequest } from "./request.js"

/** An answer of 5xx: the span ends as failed with it, and the answer is still written. */
class ServerFailure
  extends Data.TaggedError("ServerFailure")<{ readonly handled: Handled; readonly message: string }>
{}

const spanNameOf = (method: string, match: ApiMatch) =>
  match._tag === "Operation" ? `${method} /v1${match.operation.path}` : method

const factsAttributes = (span: Tracer.Span, facts: RequestFacts) => {
  if (facts.key !== undefined) span.attribute("filebatch.client_key.name", facts.key)
  if (facts.vectorStoreId !== undefined) span.attribute("openai.vector_store.id", facts.vectorStoreId)
  if (facts.fileId !== undefined) span.attribute("openai.file.id", facts.fileId)
  if (facts.batchId !== undefined) span.attribute("openai.file_batch.id", facts.batchId)
  const forwarded = facts.forwarded
  if (forwarded === undefined) return
  if (forwarded.attempts !== undefined) span.attribute("filebatch.upstream.attempts", forwarded.attempts)
  if (forwarded.coalesced !== undefined) span.attribute("filebatch.coalesced", forwarded.coalesced)
  if (forwarded.upstreamRequestId !== undefined) span.attribute("openai.request_id", forwarded.upstreamRequestId)
  // A request that shared another's call points at the span of the request that made it.
  if (forwarded.coalesced === true && forwarded.leader !== undefined) {
    span.addLinks([{
      _tag: "SpanLink",
      span: Tracer.externalSpan({ traceId: forwarded.leader.traceId, spanId: forwarded.leader.spanId }),
      attributes: { "filebatch.link": "coalesced_leader" }
    }])
  }
}

/** Runs `handle` in the request's server span; the handled facts carry the span's IDs for the access log. */
export const withServerSpan = (
  request: ProxyRequest,
  requestId: string,
  path: string,
  match: ApiMatch,
  handle: (unsampledParent?: string) => Effect.Effect<Handled>
): Effect.Effect<Handled> => {
  const parent = RemoteParent.fromHeaders(request.headers)
  return Effect.useSpan(spanNameOf(request.method, match), {
    kind: "server",
    // The call site would be this line for every request; capturing it was the costliest step of a span.
    captureStackTrace: false,
    ...(Option.isSome(parent) ? { parent: parent.value } : {})
  }, (span) =>
    span.sampled
      ? tracedHandling(requestAttributes(span, request, requestId, path, match), handle)
      // Not sampled (OTEL_TRACES_SAMPLER): handled as with tracing off, without core's spans,
      // events or links, that nobody would see (a large share of tracing's CPU); the trace
      // still goes on upstream, marked unsampled, and the log still gets its IDs.
      : Effect.map(
        Effect.withTracer(Effect.suspend(() => handle(`00-${span.traceId}-${span.spanId}-00`)), untraced),
        (handled) => withTraceIds(handled, span)
      )).pipe(
      Effect.catchTag("ServerFailure", (failure) => Effect.succeed(failure.handled))
    )
}

/** What is known of the request before handling it: set only on a sampled span. */
const requestAttributes = (
  span: Tracer.Span,
  request: ProxyRequest,
  requestId: string,
  path: string,
  match: ApiMatch
): Tracer.Span => {
  span.attribute("http.request.method", request.method)
  if (match._tag === "Operation") span.attribute("http.route", `/v1${match.operation.path}`)
  span.attribute("url.path", path)
  span.attribute("url.scheme", "http")
  const userAgent = request.headers["user-agent"]
  if (typeof userAgent === "string") span.attribute("user_agent.original", userAgent)
  span.attribute("filebatch.request_id", requestId)
  return span
}

const withTraceIds = (handled: Handled, span: Tracer.Span): Handled => ({
  answer: handled.answer,
  facts: { ...handled.facts, trace: { traceId: span.traceId, spanId: span.spanId } }
})

const tracedHandling = (span: Tracer.Span, handle: () => Effect.Effect<Handled>) =>
  Effect.suspend(() => handle()).pipe(
    // The parent of core's spans, and the leader that shared calls link to.
    Effect.withParentSpan(span),
    Effect.flatMap((handled) => {
      span.attribute("http.response.status_code", handled.answer.status)
      factsAttributes(span, handled.facts)
      const traced = withTraceIds(handled, span)
      if (handled.answer.status < 500) return Effect.succeed(traced)
      span.attribute("error.type", String(handled.answer.status))
      return Effect.fail(new ServerFailure({ handled: traced, message: `answered ${handled.answer.status}` }))
    })
  )
