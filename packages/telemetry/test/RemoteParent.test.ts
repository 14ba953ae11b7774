import { OtelTraceFlags } from "@effect/opentelemetry/Tracer"
import { describe, expect, it } from "@effect/vitest"
import { RemoteParent } from "@filebatch/telemetry"
import { Context, Option } from "effect"

const traceId = "0af7651916cd43dd8448eb211c80319c"
const spanId = "b7ad6b7169203331"

describe("RemoteParent.fromHeaders", () => {
  // Read with @effect/opentelemetry's own tags: the keys are the ones it reads.
  it("carries the caller's sampling decision to OpenTelemetry", () => {
    for (const [flags, sampled] of [["00", false], ["01", true], ["03", true]] as const) {
      const parent = Option.getOrThrow(RemoteParent.fromHeaders({
        traceparent: `00-${traceId}-${spanId}-${flags}`
      }))
      expect(parent).toMatchObject({ traceId, spanId, sampled })
      const context = parent.context as Context.Context<OtelTraceFlags>
      expect(Context.get(context, OtelTraceFlags)).toBe(parseInt(flags, 16))
    }
  })

  it("ignores a missing or malformed traceparent: the server span starts a trace", () => {
    for (
      const traceparent of [
        undefined,
        "",
        `00-${traceId}-${spanId}`,
        `00-${"0".repeat(32)}-${spanId}-01`,
        `00-${traceId}-${"0".repeat(16)}-01`,
        `ff-${traceId}-${spanId}-01`,
        `00-${traceId}-${spanId}-01-extra`,
        `00-${traceId.slice(1)}x-${spanId}-01`
      ]
    ) {
      expect(RemoteParent.fromHeaders({ traceparent })).toEqual(Option.none())
    }
    // A later version may add fields after the flags.
    expect(Option.isSome(RemoteParent.fromHeaders({ traceparent: `01-${traceId}-${spanId}-01-extra` }))).toBe(true)
  })
})
