/** The CLI's traces: the standard OTEL_* variables, a root span per run, and a clear error for a bad value. */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import {
  type OtlpReceiver,
  requestsOf,
  runCli,
  type RunningEmulator,
  seedBatch,
  startEmulator,
  startOtlpReceiver
} from "@filebatch/testkit"

const key = "sk-cli-tracing-test-0123"
let receiver: OtlpReceiver
let upstream: RunningEmulator

beforeAll(async () => {
  receiver = await startOtlpReceiver()
  upstream = await startEmulator({ keys: [key] })
}, 60_000)

afterAll(async () => {
  await upstream?.close()
  await receiver?.close()
})

describe("filebatch with OTEL_* set", () => {
  it("sends the run as one trace before it exits, and each request's traceparent is its attempt's span", async () => {
    const ref = await seedBatch(upstream.emulator)
    const ran = await runCli(["get", ref.vectorStoreId, ref.batchId], {
      OPENAI_API_KEY: key,
      OPENAI_BASE_URL: upstream.emulator.url,
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_RESOURCE_ATTRIBUTES: "team=rag"
    })
    expect(ran.code, ran.stderr).toBe(0)
    // Sent before the process ended: already here, no waiting on a batch delay.
    const root = receiver.spans.find((span) => span.name === "filebatch get")!
    expect(root.resource).toMatchObject({ "service.name": "filebatch-cli", team: "rag" })
    const attempt = receiver.spans.find((span) => span.traceId === root.traceId && span.kind === "client")!
    const [sent] = (await requestsOf(upstream.emulator)).filter((entry) => entry.batchId === ref.batchId)
    expect(sent!.headers["traceparent"]).toBe(`00-${root.traceId}-${attempt.spanId}-01`)
    expect(receiver.bodies.map((body) => body.toString("latin1")).join("")).not.toContain(key)
  })

  it("a bad OTEL_* value is a usage error naming it, and nothing runs", async () => {
    const ran = await runCli(["get", "vs_1", "vsfb_1"], {
      OPENAI_API_KEY: key,
      OPENAI_BASE_URL: upstream.emulator.url,
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4317",
      OTEL_EXPORTER_OTLP_PROTOCOL: "grpc"
    })
    expect(ran).toMatchObject({
      code: 2,
      stderr: "filebatch: invalid setting: OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported: use http/protobuf " +
        "(the default) or http/json\n"
    })
  })
})
