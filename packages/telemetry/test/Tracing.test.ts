import { describe, expect, it } from "@effect/vitest"
import { Tracing } from "@filebatch/telemetry"
import { type OtlpReceiver, startOtlpReceiver } from "@filebatch/testkit"
import { Effect, Either, Layer, Option } from "effect"
import { afterAll, beforeAll } from "vitest"

let receiver: OtlpReceiver
beforeAll(async () => {
  receiver = await startOtlpReceiver()
})
afterAll(() => receiver?.close())

const traced = (env: Record<string, string>) =>
  Effect.gen(function*() {
    const leader = yield* Effect.withSpan(Effect.currentSpan, "leader", { kind: "server" })
    yield* Effect.gen(function*() {
      const span = yield* Effect.currentSpan
      span.event("shed", BigInt(Date.now()) * 1_000_000n, { queue: 3 })
      span.addLinks([{ _tag: "SpanLink", span: leader, attributes: {} }])
      yield* Effect.annotateCurrentSpan("filebatch.coalesced", true)
    }).pipe(Effect.withSpan("follower", { attributes: { "openai.file_batch.id": "vsfb_1" } }))
    return leader.traceId
  }).pipe(Effect.provide(Tracing.layerFromEnv("filebatch-test", "0.0.0", env)))

describe("Tracing", () => {
  for (const protocol of ["http/protobuf", "http/json"] as const) {
    it(`${protocol}: spans, their events and links reach an OTLP receiver, flushed when the layer closes`, async () => {
      const env = {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
        OTEL_RESOURCE_ATTRIBUTES: "deployment.environment=test"
      }
      const traceId = await Effect.runPromise(traced(env))
      const spans = await receiver.waitFor(
        "both spans",
        (spans) => {
          const leader = spans.find((span) => span.traceId === traceId)
          const follower = leader && spans.find((span) => span.links.some((link) => link.spanId === leader!.spanId))
          return follower !== undefined && [leader!, follower]
        }
      )
      const [leader, follower] = spans
      expect([leader!.name, follower!.name]).toEqual(["leader", "follower"])
      expect(leader!.encoding).toBe(protocol === "http/json" ? "json" : "protobuf")
      expect(leader!.kind).toBe("server")
      expect(follower!.links).toEqual([{ traceId, spanId: leader!.spanId }])
      expect(follower!.events.map((event) => [event.name, event.attributes])).toEqual([["shed", { queue: 3 }]])
      expect(follower!.attributes).toMatchObject({ "openai.file_batch.id": "vsfb_1", "filebatch.coalesced": true })
      expect(leader!.resource).toMatchObject({
        "service.name": "filebatch-test",
        "service.version": "0.0.0",
        "deployment.environment": "test"
      })
    })
  }

  it("reads the standard variables, and nothing when no endpoint is set", () => {
    expect(Tracing.settingsFrom({}, "x")).toEqual(Either.right(Option.none()))
    expect(Tracing.settingsFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318", OTEL_SDK_DISABLED: "true" }, "x"))
      .toEqual(Either.right(Option.none()))
    expect(Tracing.settingsFrom({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/",
      OTEL_EXPORTER_OTLP_HEADERS: "x-api-key=s%3Dcret,Tenant=a",
      OTEL_SERVICE_NAME: "cancels"
    }, "x")).toEqual(Either.right(Option.some({
      url: "http://collector:4318/v1/traces",
      headers: { "x-api-key": "s=cret", tenant: "a" },
      protocol: "http/protobuf",
      serviceName: "cancels",
      resourceAttributes: {}
    })))
    const traces = Tracing.settingsFrom({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://ignored:4318",
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://collector/custom/traces"
    }, "x")
    expect(Either.map(traces, Option.map((settings) => settings.url))).toEqual(
      Either.right(Option.some("https://collector/custom/traces"))
    )
  })

  it("an invalid variable is named, and a header's value never appears in the error", () => {
    const grpc = Tracing.settingsFrom({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4317",
      OTEL_EXPORTER_OTLP_PROTOCOL: "grpc"
    }, "x")
    expect(Either.isLeft(grpc) && String(grpc.left)).toContain("OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported")
    const url = Tracing.settingsFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" }, "x")
    expect(Either.isLeft(url) && String(url.left)).toContain("OTEL_EXPORTER_OTLP_ENDPOINT must be an http(s) URL")
    const headers = Tracing.settingsFrom({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://c:4318",
      OTEL_EXPORTER_OTLP_HEADERS: "sk-secret-value"
    }, "x")
    expect(Either.isLeft(headers) && String(headers.left)).toContain("OTEL_EXPORTER_OTLP_HEADERS must be")
    expect(String(Either.isLeft(headers) && headers.left)).not.toContain("sk-secret-value")
    const failed = Effect.runSyncExit(
      Layer.build(
        Tracing.layerFromEnv("x", "0", { OTEL_EXPORTER_OTLP_ENDPOINT: "ftp://c" })
      ).pipe(Effect.scoped)
    )
    expect(failed._tag).toBe("Failure")
  })
})
