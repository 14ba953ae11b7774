/**
 * Core's spans: an operation with a child span per HTTP attempt, each carrying its
 * `traceparent` to the server; none at all under Effect's built-in tracer.
 */
import { HttpClient } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { FileBatchClient, FileBatchConfig, FileBatchWatch } from "@filebatch/core"
import { requestsOf, run, type RunningEmulator, seedBatch, startEmulator } from "@filebatch/testkit"
import { Effect, Layer, Option, Tracer } from "effect"

const apiKey = "sk-tracing-test-0123456789"
let upstream: RunningEmulator

beforeAll(async () => {
  upstream = await startEmulator({ keys: [apiKey] })
}, 30_000)
afterAll(() => upstream?.close())

interface Recorded {
  readonly name: string
  readonly spanId: string
  readonly traceId: string
  readonly parent: string | undefined
  readonly kind: Tracer.SpanKind
  readonly attributes: Map<string, unknown>
  status: Tracer.SpanStatus
}

/** A tracer that keeps every span it makes: what an exporting tracer would be handed. */
const recording = () => {
  const spans: Array<Recorded> = []
  let next = 0
  const tracer = Tracer.make({
    span(name, parent, _context, _links, startTime, kind) {
      const recorded: Recorded = {
        name,
        spanId: (++next).toString(16).padStart(16, "0"),
        traceId: Option.match(parent, { onNone: () => "1".padStart(32, "0"), onSome: (span) => span.traceId }),
        parent: Option.getOrUndefined(Option.map(parent, (span) => span.spanId)),
        kind,
        attributes: new Map(),
        status: { _tag: "Started", startTime }
      }
      spans.push(recorded)
      return {
        _tag: "Span",
        name,
        spanId: recorded.spanId,
        traceId: recorded.traceId,
        parent,
        context: _context,
        get status() {
          return recorded.status
        },
        attributes: recorded.attributes,
        links: [],
        sampled: true,
        kind,
        end: (endTime, exit) => void (recorded.status = { _tag: "Ended", startTime, endTime, exit }),
        attribute: (key, value) => void recorded.attributes.set(key, value),
        event: () => {},
        addLinks: () => {}
      }
    },
    context: (f) => f()
  })
  return { spans, tracer }
}

const clientLayer = FileBatchClient.layer.pipe(
  Layer.provide(
    Layer.suspend(() =>
      FileBatchConfig.layer({ apiKey, baseUrl: upstream.emulator.url, maxRetries: 2, pollInterval: "10 millis" })
    )
  ),
  // The platform's client sends a traceparent of its own span: off, to see core's.
  Layer.provide(
    Layer.effect(HttpClient.HttpClient, Effect.map(HttpClient.HttpClient, HttpClient.withTracerPropagation(false)))
  ),
  Layer.provide(NodeHttpClient.layerUndici)
)

describe("core's spans", () => {
  it("a retried cancel: the operation's span and one client span per attempt, each sent as traceparent", async () => {
    const { batchId, vectorStoreId } = await seedBatch(upstream.emulator)
    await run(upstream.emulator.addFaults([{
      operation: "cancel",
      vectorStoreId,
      fault: { kind: "status", status: 500, retryAfterMs: 1 }
    }]))
    const { spans, tracer } = recording()
    const before = (await requestsOf(upstream.emulator)).length
    await Effect.runPromise(
      FileBatchWatch.cancelAndAwait({ vectorStoreId, batchId }).pipe(
        Effect.provide(clientLayer),
        Effect.withTracer(tracer)
      )
    )
    const byName = (name: string) => spans.filter((span) => span.name === name)
    const [root] = byName("filebatch.cancel_and_await")
    expect(root).toBeDefined()
    const [cancel] = byName("filebatch.cancel")
    const attempts = byName("POST /vector_stores/{vector_store_id}/file_batches/{batch_id}/cancel")
    expect(attempts.map((span) => span.parent)).toEqual([cancel!.spanId, cancel!.spanId])
    expect(attempts.map((span) => span.kind)).toEqual(["client", "client"])
    expect(attempts.map((span) => span.attributes.get("http.response.status_code"))).toEqual([500, 200])
    expect(attempts[1]!.attributes.get("http.request.resend_count")).toBe(1)
    expect(attempts[1]!.attributes.get("filebatch.retry_delay_ms")).toBeGreaterThanOrEqual(0)
    expect(cancel!.attributes.get("filebatch.attempts")).toBe(2)
    expect(cancel!.attributes.get("openai.file_batch.id")).toBe(batchId)
    // Every span of the run is in the root's trace.
    expect(new Set(spans.map((span) => span.traceId))).toEqual(new Set([root!.traceId]))
    // What the server saw: each attempt's own span as the parent.
    const sent = (await requestsOf(upstream.emulator)).slice(before).filter((entry) => entry.operation === "cancel")
    expect(sent.map((entry) => entry.headers["traceparent"])).toEqual(
      attempts.map((span) => `00-${span.traceId}-${span.spanId}-01`)
    )
    // The polls: retrieve operations in the same trace, under the watch.
    const [watch] = byName("filebatch.cancel_and_watch")
    expect(watch!.parent).toBe(root!.spanId)
    expect(cancel!.parent).toBe(watch!.spanId)
    const polls = byName("filebatch.retrieve")
    expect(polls.length).toBeGreaterThan(0)
    expect(polls.every((poll) => poll.parent === watch!.spanId)).toBe(true)
  })

  it("under Effect's built-in tracer no span is made and no traceparent sent", async () => {
    const { batchId, vectorStoreId } = await seedBatch(upstream.emulator)
    const before = (await requestsOf(upstream.emulator)).length
    const spans = await Effect.runPromise(
      Effect.flatMap(FileBatchClient.FileBatchClient, (client) => client.cancel({ vectorStoreId, batchId })).pipe(
        Effect.zipRight(Effect.currentSpan.pipe(Effect.option)),
        Effect.provide(clientLayer)
      )
    )
    expect(Option.isNone(spans)).toBe(true)
    const sent = (await requestsOf(upstream.emulator)).slice(before)
    expect(sent.map((entry) => entry.headers["traceparent"])).toEqual([undefined])
  })
})
