/**
 * The running fiber's span, read without an Effect step (the span lives in the fiber's
 * context): while tracing, a request's server span, inherited by a shared call's own fiber.
 */
import { Context, Effect, Fiber, Layer, Option, Tracer } from "effect"
import type { SpanIds } from "../shared/model.js"

export const currentSpan = (): Tracer.AnySpan | undefined => {
  const fiber = Fiber.getCurrentFiber()
  return Option.isSome(fiber)
    ? Option.getOrUndefined(Context.getOption(fiber.value.currentContext, Tracer.ParentSpan))
    : undefined
}

export const currentSpanIds = (): SpanIds | undefined => {
  const span = currentSpan()
  return span === undefined ? undefined : { traceId: span.traceId, spanId: span.spanId }
}

/** An event on the current span (a decision: admitted or limited, shed). */
export const spanEvent = (name: string, attributes: Record<string, unknown>) => {
  const span = currentSpan()
  if (span?._tag === "Span") span.event(name, BigInt(Date.now()) * 1_000_000n, attributes)
}

/** Whether spans are exported (OTEL_* set): only then does a request get a server span, events and links. */
export class SpanExport extends Context.Tag("@filebatch/proxy/SpanExport")<SpanExport, { readonly on: boolean }>() {}

/** Effect's own tracer, which exports nothing: core makes no spans under it. */
export const untraced: Tracer.Tracer = Effect.runSync(Effect.tracer)

/** On when a tracer other than Effect's own is installed (from OTEL_*, by bin.ts). */
export const layerFromTracer: Layer.Layer<SpanExport> = Layer.effect(
  SpanExport,
  Effect.map(Effect.tracer, (tracer) => ({ on: tracer !== untraced }))
)
