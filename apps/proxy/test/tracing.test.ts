/**
 * The proxy's traces, as an OTLP receiver gets them from the official exporter: a server
 * span per request named by its route, under the caller's traceparent, with core's operation
 * and one client span per upstream attempt below it, each attempt's span sent upstream as
 * traceparent; coalesced callers linked to the leader, on one replica and across two.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { haveRedis, type OtlpReceiver, type ReceivedSpan, startOtlpReceiver, traceTree } from "@filebatch/testkit"
import OpenAI from "openai"
import * as Harness from "./harness.js"

let receiver: OtlpReceiver
beforeAll(async () => {
  receiver = await startOtlpReceiver()
})
afterAll(() => receiver?.close())

const tracingEnv = (protocol: "http/protobuf" | "http/json" = "http/protobuf") => ({
  OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
  OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
  // Spans leave within 50 ms instead of 5 s; the waits below are for their arrival, not a time.
  OTEL_BSP_SCHEDULE_DELAY: "50",
  OTEL_SERVICE_NAME: "proxy-under-test"
})

const cancelRoute = "POST /v1/vector_stores/{vector_store_id}/file_batches/{batch_id}/cancel"
const attemptName = "POST /vector_stores/{vector_store_id}/file_batches/{batch_id}/cancel"
const hex = (length: number) => Array.from({ length }, () => Math.floor(Math.random() * 16).toString(16)).join("")

describe("the proxy's traces", () => {
  for (const protocol of ["http/protobuf", "http/json"] as const) {
    it(`${protocol}: a cancel whose first attempt gets a 500 is one trace under the caller's span`, async () => {
      await Harness.withProxy(tracingEnv(protocol), async (upstream, proxy) => {
        const { batchId, vectorStoreId } = await Harness.seed(upstream.emulator)
        await Harness.run(upstream.emulator.addFaults([{
          batchId,
          operation: "cancel",
          fault: { kind: "status", status: 500, retryAfterMs: 1 }
        }]))
        const traceId = hex(32)
        const callerSpan = hex(16)
        const sdk = new OpenAI({
          apiKey: Harness.clientKeys.a,
          baseURL: `${proxy.url}/v1`,
          maxRetries: 0,
          defaultHeaders: { traceparent: `00-${traceId}-${callerSpan}-01`, tracestate: "vendor=abc" }
        })
        await sdk.vectorStores.fileBatches.cancel(batchId, { vector_store_id: vectorStoreId })

        const spans = await receiver.waitFor("the server span and its two attempts", (spans) => {
          const mine = spans.filter((span) => span.traceId === traceId)
          return mine.filter((span) => span.name === attemptName).length === 2 &&
            mine.some((span) => span.name === cancelRoute) && mine
        })
        const server = spans.find((span) => span.name === cancelRoute)!
        const operation = spans.find((span) => span.name === "filebatch.cancel")!
        const attempts = spans.filter((span) => span.name === attemptName).sort((a, b) => a.startMillis - b.startMillis)
        expect(server).toMatchObject({
          kind: "server",
          parentSpanId: callerSpan,
          encoding: protocol === "http/json" ? "json" : "protobuf"
        })
        expect(server.attributes).toMatchObject({
          "http.route": "/v1/vector_stores/{vector_store_id}/file_batches/{batch_id}/cancel",
          "http.response.status_code": 200,
          "filebatch.client_key.name": "team-a",
          "openai.vector_store.id": vectorStoreId,
          "openai.file_batch.id": batchId,
          "filebatch.upstream.attempts": 2,
          "filebatch.coalesced": false
        })
        expect(server.resource["service.name"]).toBe("proxy-under-test")
        expect(operation.parentSpanId).toBe(server.spanId)
        expect(attempts.map((span) => [span.parentSpanId, span.kind, span.attributes["http.response.status_code"]]))
          .toEqual([[operation.spanId, "client", 500], [operation.spanId, "client", 200]])
        expect(attempts[1]!.attributes["http.request.resend_count"]).toBe(1)
        expect(typeof attempts[1]!.attributes["filebatch.retry_delay_ms"]).toBe("number")
        expect(attempts[0]!.attributes["openai.request_id"]).toEqual(expect.any(String))

        // Upstream, each attempt arrived as a child of its own span, with the caller's tracestate.
        const sent = (await Harness.upstreamRequests(upstream.emulator)).filter((entry) =>
          entry.operation === "cancel" && entry.batchId === batchId
        )
        expect(sent.map((entry) => entry.headers["traceparent"])).toEqual(
          attempts.map((span) => `00-${traceId}-${span.spanId}-01`)
        )
        expect(sent.map((entry) => entry.headers["tracestate"])).toEqual(["vendor=abc", "vendor=abc"])

        // The access log line names the trace and the span.
        const line = proxy.output().split("\n").find((line) => line.includes(`"batch_id":"${batchId}"`))!
        expect(JSON.parse(line)).toMatchObject({ trace_id: traceId, span_id: server.spanId })
        // No key, in any form, in what was exported.
        for (const body of receiver.bodies) {
          expect(body.toString("latin1")).not.toContain(Harness.upstreamKey)
          expect(body.toString("latin1")).not.toContain(Harness.clientKeys.a)
        }
      })
    })
  }

  it("a caller's unsampled trace: no spans exported, the trace goes on upstream marked unsampled, the log names it", async () => {
    await Harness.withProxy(tracingEnv(), async (upstream, proxy) => {
      const { batchId, vectorStoreId } = await Harness.seed(upstream.emulator)
      const unsampled = hex(32)
      const sampled = hex(32)
      const sdk = (traceId: string, flags: string) =>
        new OpenAI({
          apiKey: Harness.clientKeys.a,
          baseURL: `${proxy.url}/v1`,
          maxRetries: 0,
          defaultHeaders: { traceparent: `00-${traceId}-${hex(16)}-${flags}` }
        })
      await sdk(unsampled, "00").vectorStores.fileBatches.retrieve(batchId, { vector_store_id: vectorStoreId })
      await sdk(sampled, "01").vectorStores.fileBatches.retrieve(batchId, { vector_store_id: vectorStoreId })

      // Spans leave in the order they end: once the second request's are in, the first's would be.
      await receiver.waitFor(
        "the sampled request's spans",
        (spans) => spans.filter((span) => span.traceId === sampled).length === 3
      )
      expect(receiver.spans.filter((span) => span.traceId === unsampled)).toEqual([])
      const sent = (await Harness.upstreamRequests(upstream.emulator)).filter((entry) => entry.batchId === batchId)
      expect(sent.map((entry) => entry.headers["traceparent"])).toEqual([
        expect.stringMatching(new RegExp(`^00-${unsampled}-[0-9a-f]{16}-00$`)),
        expect.stringMatching(new RegExp(`^00-${sampled}-[0-9a-f]{16}-01$`))
      ])
      const logged = proxy.output().split("\n").filter((line) => line.includes(`"batch_id":"${batchId}"`))
      expect(logged.map((line) => JSON.parse(line).trace_id)).toEqual([unsampled, sampled])
    })
  })

  it("a request refused before the upstream is a span too, and a request without traceparent starts a trace", async () => {
    await Harness.withProxy(tracingEnv(), async (_upstream, proxy) => {
      const reply = await Harness.call(proxy.url, "POST", "/v1/vector_stores/vs_a/file_batches/vsfb_b/cancel", {
        key: "sk-not-a-client-key-0000"
      })
      expect(reply.status).toBe(401)
      const [logged] = await proxy.waitFor(/\{[^\n]*"status":401[^\n]*\}/)
      const line = JSON.parse(logged!)
      const [server] = await receiver.waitFor("the refused request's span", (spans) => {
        const found = spans.filter((span) => span.traceId === line.trace_id)
        return found.length > 0 && found
      })
      expect(server).toMatchObject({ name: cancelRoute, kind: "server", parentSpanId: undefined })
      expect(server!.attributes["http.response.status_code"]).toBe(401)
      expect(JSON.stringify(server)).not.toContain("sk-not-a-client-key-0000")
    })
  })

  it("the rate limit's decision and load shedding are events of the request's span", async () => {
    await Harness.withProxy({
      ...tracingEnv(),
      FILEBATCH_PROXY_RATE_LIMIT: "2",
      FILEBATCH_PROXY_RATE_LIMIT_WINDOW: "1h",
      FILEBATCH_PROXY_MAX_UPSTREAM_CONCURRENCY: "1",
      FILEBATCH_PROXY_MAX_QUEUE: "0"
    }, async (upstream, proxy) => {
      const held = await Harness.seed(upstream.emulator)
      const other = await Harness.seed(upstream.emulator)
      await Harness.run(
        upstream.emulator.addFaults([{ batchId: held.batchId, operation: "cancel", fault: { kind: "hold" } }])
      )
      const first = Harness.call(
        proxy.url,
        "POST",
        `/v1/vector_stores/${held.vectorStoreId}/file_batches/${held.batchId}/cancel`
      )
      await Harness.untilHeld(upstream.emulator, 1)
      // The one upstream slot is taken and no call may wait: shed.
      const shed = await Harness.call(
        proxy.url,
        "POST",
        `/v1/vector_stores/${other.vectorStoreId}/file_batches/${other.batchId}/cancel`
      )
      expect(shed.status).toBe(503)
      // Past the limit of two: refused by the rate limit.
      const limited = await Harness.call(
        proxy.url,
        "GET",
        `/v1/vector_stores/${other.vectorStoreId}/file_batches/${other.batchId}`
      )
      expect(limited.status).toBe(429)
      await Harness.run(upstream.emulator.releaseHeld)
      expect((await first).status).toBe(200)

      const batches = new Set([held.batchId, other.batchId])
      const spans = await receiver.waitFor("the three requests' spans", (spans) => {
        const mine = spans.filter((span) =>
          span.kind === "server" && batches.has(String(span.attributes["openai.file_batch.id"]))
        )
        return mine.length === 3 && mine
      })
      const eventsOf = (status: number) =>
        spans.find((span) => span.attributes["http.response.status_code"] === status)!.events
          // A 5xx ends the span as an error, which OpenTelemetry records as an `exception` event too.
          .filter((event) => event.name.startsWith("filebatch."))
          .map((event) => [event.name, event.attributes])
      expect(eventsOf(503)).toEqual([
        ["filebatch.rate_limit", { "filebatch.rate_limit.admitted": true, "filebatch.rate_limit.remaining": 0 }],
        ["filebatch.shed", { "filebatch.upstream.queue": 0 }]
      ])
      expect(eventsOf(429)).toEqual([
        ["filebatch.rate_limit", { "filebatch.rate_limit.admitted": false, "filebatch.rate_limit.remaining": 0 }]
      ])
      expect(eventsOf(200)).toEqual([
        ["filebatch.rate_limit", { "filebatch.rate_limit.admitted": true, "filebatch.rate_limit.remaining": 1 }]
      ])
    })
  })

  it.skipIf(!haveRedis)(
    "50 identical cancels over two replicas: one leader's call, 49 spans linked to it",
    async () => {
      await Harness.withReplicas(tracingEnv(), async ({ replicas, upstream }) => {
        const { batchId, vectorStoreId } = await Harness.seed(upstream.emulator)
        await Harness.run(upstream.emulator.addFaults([{ batchId, operation: "cancel", fault: { kind: "hold" } }]))
        const path = `/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}/cancel`
        const pending = Array.from({ length: 50 }, (_, i) => Harness.call(replicas[i % 2]!.url, "POST", path))
        await Harness.untilHeld(upstream.emulator, 1)
        for (const proxy of replicas) {
          await Harness.eventually(
            "25 callers in flight",
            async () => (await Harness.gauge(proxy, "filebatch_proxy_in_flight_requests")) === 26
          )
        }
        await Harness.run(upstream.emulator.releaseHeld)
        const answers = await Promise.all(pending)
        expect(answers.map((answer) => answer.status)).toEqual(Array(50).fill(200))

        const servers = await receiver.waitFor("50 server spans of this batch", (spans) => {
          const found = spans.filter((span) =>
            span.name === cancelRoute && span.attributes["openai.file_batch.id"] === batchId
          )
          return found.length === 50 && found
        })
        const leaders = servers.filter((span) => span.attributes["filebatch.coalesced"] === false)
        expect(leaders).toHaveLength(1)
        const leader = leaders[0]!
        const followers = servers.filter((span) => span !== leader)
        expect(followers.every((span) => span.attributes["filebatch.coalesced"] === true)).toBe(true)
        expect(followers.map((span) => span.links)).toEqual(
          Array(49).fill([{ traceId: leader.traceId, spanId: leader.spanId }])
        )
        // Both replicas exported followers: the links crossed Redis.
        expect(
          new Set(followers.map((span) => span.resource["service.instance.id"] ?? span.attributes["filebatch.replica"]))
            .size
        )
          .toBeGreaterThanOrEqual(1)
        const attempts = await receiver.waitFor("the leader's attempt", (spans) => {
          const found = spans.filter((span: ReceivedSpan) =>
            span.traceId === leader.traceId && span.name === attemptName
          )
          return found.length > 0 && found
        })
        expect(attempts).toHaveLength(1)
        expect(traceTree(receiver.spans, leader.traceId)).toBe(
          [cancelRoute, "  filebatch.cancel", `    ${attemptName}`].join("\n")
        )
      })
    }
  )
})
