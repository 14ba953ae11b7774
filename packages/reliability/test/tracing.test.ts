/**
 * One cancel, end to end, as one trace: `filebatch cancel --wait` through the proxy to the
 * emulator, whose first upstream attempt gets a 500. Both processes export to the same OTLP
 * receiver; the CLI's attempt spans are the proxy's parents (traceparent), and the proxy's
 * upstream attempts hang below its server span.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import {
  type OtlpReceiver,
  type ReceivedSpan,
  type RunningEmulator,
  seedBatch,
  startOtlpReceiver,
  traceTree
} from "@filebatch/testkit"
import { arm, clientKey, runCli, type RunningProxy, startEmulator, startProxy, upstreamKey } from "./harness.js"

let receiver: OtlpReceiver
let upstream: RunningEmulator
let proxy: RunningProxy

const tracing = (serviceName: string) => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
  OTEL_BSP_SCHEDULE_DELAY: "50",
  OTEL_SERVICE_NAME: serviceName
})

beforeAll(async () => {
  receiver = await startOtlpReceiver()
  // The cancel is answered `cancelling`; the batch is `cancelled` 200 ms later: at least one poll.
  upstream = await startEmulator({ cancelDelayMillis: 200, pollAfterMillis: 20 })
  proxy = await startProxy(upstream.emulator.url, tracing("proxy"))
}, 60_000)

afterAll(async () => {
  await proxy?.stop()
  await upstream?.close()
  await receiver?.close()
})

const cancelPath = "/vector_stores/{vector_store_id}/file_batches/{batch_id}/cancel"
const retrievePath = "/vector_stores/{vector_store_id}/file_batches/{batch_id}"

describe("a cancel --wait through the proxy", () => {
  it("is one trace: CLI → proxy → core → each upstream attempt, and each poll", async () => {
    const { batchId, vectorStoreId } = await seedBatch(upstream.emulator)
    await arm(upstream.emulator, [{
      batchId,
      operation: "cancel",
      fault: { kind: "status", status: 500, retryAfterMs: 1 }
    }])
    const ran = await runCli(["cancel", vectorStoreId, batchId, "--wait"], {
      OPENAI_API_KEY: clientKey,
      OPENAI_BASE_URL: `${proxy.url}/v1`,
      FILEBATCH_POLL_INTERVAL: "20 millis",
      ...tracing("cli")
    })
    expect(ran.code, ran.stderr).toBe(0)

    // The CLI flushed its spans before it exited; the proxy's come within its batch delay.
    const root = await receiver.waitFor(
      "the CLI's root span",
      (spans) => spans.find((span) => span.name === "filebatch cancel" && span.resource["service.name"] === "cli")
    )
    const cliPolls = () =>
      receiver.spans.filter((span) =>
        span.traceId === root.traceId && span.name === `GET ${retrievePath}` && span.resource["service.name"] === "cli"
      )
    const spans = await receiver.waitFor("a proxy server span under each of the CLI's attempts", (spans) => {
      const trace = spans.filter((span) => span.traceId === root.traceId)
      const cliAttempts = trace.filter((span) => span.kind === "client" && span.resource["service.name"] === "cli")
      const served = trace.filter((span) => span.kind === "server")
      const proxyAttempts = trace.filter((span) => span.kind === "client" && span.resource["service.name"] === "proxy")
      return cliAttempts.length > 1 && served.length === cliAttempts.length &&
        proxyAttempts.length === served.length + 1 && trace
    })
    const of = (service: string, predicate: (span: ReceivedSpan) => boolean) =>
      spans.filter((span) => span.resource["service.name"] === service && predicate(span))
    const byId = new Map(spans.map((span) => [span.spanId, span]))
    const parentOf = (span: ReceivedSpan) => byId.get(span.parentSpanId ?? "")

    // The CLI: its command, core's cancel-and-watch, the cancel and the polls, each with its attempt.
    const [cliCancel] = of("cli", (span) => span.name === "filebatch.cancel")
    expect(parentOf(cliCancel!)?.name).toBe("filebatch.cancel_and_watch")
    expect(parentOf(parentOf(cliCancel!)!)).toBe(root)
    const polls = of("cli", (span) => span.name === "filebatch.retrieve")
    expect(polls.length).toBeGreaterThan(0)
    expect(polls.every((poll) => poll.parentSpanId === cliCancel!.parentSpanId)).toBe(true)
    expect(cliPolls()).toHaveLength(polls.length)

    // The proxy: one server span per CLI attempt, its parent that attempt.
    for (const server of of("proxy", (span) => span.kind === "server")) {
      expect(parentOf(server)).toMatchObject({ kind: "client" })
      expect(parentOf(server)!.resource["service.name"]).toBe("cli")
    }
    // Below the cancel's server span: core's cancel and its two upstream attempts, 500 then 200.
    const cancelServer = of("proxy", (span) => span.name === `POST /v1${cancelPath}`)
    expect(cancelServer).toHaveLength(1)
    const upstreamAttempts = of("proxy", (span) => span.name === `POST ${cancelPath}`)
    expect(upstreamAttempts.map((span) => span.attributes["http.response.status_code"])).toEqual([500, 200])
    expect(upstreamAttempts.every((span) => parentOf(parentOf(span)!) === cancelServer[0])).toBe(true)

    // For the docs (README "Tracing and audit"): the tree as the receiver saw it.
    console.log(
      traceTree(
        spans,
        root.traceId,
        (span) =>
          `${span.name} [${span.resource["service.name"]} ${span.kind}]${
            span.attributes["http.response.status_code"] !== undefined
              ? ` ${span.attributes["http.response.status_code"]}`
              : ""
          }`
      )
    )
    for (const body of receiver.bodies) {
      expect(body.toString("latin1")).not.toContain(upstreamKey)
      expect(body.toString("latin1")).not.toContain(clientKey)
    }
  })
})
