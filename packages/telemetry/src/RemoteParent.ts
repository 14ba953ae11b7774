/**
 * The caller's span, from its W3C `traceparent`, as the parent of a server span: sampled or
 * not as the caller decided. (Its `tracestate` is the caller's to pass on: the proxy sends it
 * upstream as a header.)
 *
 * `@effect/platform`'s `HttpTraceContext.w3c` reads the flags into `sampled`, but
 * `@effect/opentelemetry` takes a parent's flags from its context, and without them counts
 * the parent as sampled: a caller's "not sampled" was lost, and every such request exported
 * its spans. `@effect/opentelemetry`'s own `makeExternalSpan` sets them, but importing it
 * loads OpenTelemetry's API into a process that may never trace; so the flags go in under the
 * same tag key (`OtelTraceFlags`; a test reads them with that tag).
 *
 * @since 0.1.0
 */
import { Context, Option, Tracer } from "effect"

const TraceFlags = Context.GenericTag<number>("@effect/opentelemetry/Tracer/OtelTraceFlags")

const traceparentPattern = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$/

const header = (value: string | ReadonlyArray<string> | undefined) => Array.isArray(value) ? value[0] : value

/**
 * The caller's span named by `traceparent`; `None` when it is missing or malformed (an all-zero
 * trace or span ID, version `ff`, or a version `00` header with more fields), so the server span
 * starts a trace of its own, as W3C Trace Context asks.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromHeaders = (
  headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
): Option.Option<Tracer.ExternalSpan> => {
  const traceparent = header(headers["traceparent"])?.trim().toLowerCase()
  const match = traceparent === undefined ? null : traceparentPattern.exec(traceparent)
  if (match === null) return Option.none()
  const [whole, version, traceId, spanId, flagsHex] = match as unknown as [string, string, string, string, string]
  const invalid = version === "ff" || (version === "00" && whole.length !== 55) ||
    /^0+$/.test(traceId) || /^0+$/.test(spanId)
  if (invalid) return Option.none()
  const flags = parseInt(flagsHex, 16)
  const context = Context.make(TraceFlags, flags)
  return Option.some(Tracer.externalSpan({ traceId, spanId, sampled: (flags & 1) === 1, context }))
}
