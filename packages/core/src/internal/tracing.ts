/**
 * Spans only when someone can see them. An unsampled span still costs about 12 µs of CPU
 * (docs/benchmarks.md), a sixth of the proxy's Effect cost per request, and Effect's built-in
 * tracer exports nothing: so core makes its spans only when another tracer is installed (a
 * library user's `@effect/opentelemetry`, the CLI's or the proxy's when OTEL_* is set).
 */
import { Effect, Stream, type Tracer } from "effect"

let builtIn: Tracer.Tracer | undefined
// The default services' tracer, the one every runtime starts with.
const builtInTracer = () => (builtIn ??= Effect.runSync(Effect.tracer))

/** Whether `tracer` is one whose spans go somewhere. */
export const exports = (tracer: Tracer.Tracer): boolean => tracer !== builtInTracer()

/** `Effect.withSpan` when a tracer that exports is installed, else `effect` itself. */
export const withSpan = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  name: string,
  options: () => Tracer.SpanOptions
): Effect.Effect<A, E, R> =>
  Effect.tracerWith((tracer) => exports(tracer) ? Effect.withSpan(effect, name, options()) : effect)

/** `Stream.withSpan` when a tracer that exports is installed, else `stream` itself. */
export const withStreamSpan = <A, E, R>(
  stream: Stream.Stream<A, E, R>,
  name: string,
  options: () => Tracer.SpanOptions
): Stream.Stream<A, E, R> =>
  Stream.unwrap(
    Effect.tracerWith((tracer) => Effect.succeed(exports(tracer) ? Stream.withSpan(stream, name, options()) : stream))
  )

/** The W3C `traceparent` of a span, to carry it to the server. */
export const traceparent = (span: Tracer.Span): string =>
  `00-${span.traceId}-${span.spanId}-${span.sampled ? "01" : "00"}`

/** The IDs of a call as span attributes. */
export const refAttributes = (
  ref: { readonly vectorStoreId?: string; readonly batchId?: string; readonly fileId?: string }
) => {
  const attributes: Record<string, string> = {}
  if (ref.vectorStoreId !== undefined) attributes["openai.vector_store.id"] = ref.vectorStoreId
  if (ref.batchId !== undefined) attributes["openai.file_batch.id"] = ref.batchId
  if (ref.fileId !== undefined) attributes["openai.file.id"] = ref.fileId
  return attributes
}
