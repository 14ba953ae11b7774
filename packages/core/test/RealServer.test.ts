import { HttpRouter, HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpClient, NodeHttpServer } from "@effect/platform-node"
import { describe, expect, it, layer } from "@effect/vitest"
import { cancelAndAwait, cancelFileBatch, FileBatchClient, FileBatchConfig } from "@filebatch/core"
import { Effect, Exit, Fiber, Layer } from "effect"
import { createServer, type IncomingMessage } from "node:http"
import { apiKey, batchJson, ref } from "./fixtures.js"

let cancels = 0
const seenHeaders: Array<Record<string, string>> = []

const router = HttpRouter.empty.pipe(
  HttpRouter.post(
    "/v1/vector_stores/:vs/file_batches/:batch/cancel",
    Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      seenHeaders.push({ ...request.headers })
      cancels += 1
      // The first cancel fails with a retryable 503, as a real upstream sometimes does.
      if (cancels === 1) {
        return yield* HttpServerResponse.json(
          { error: { message: "overloaded", type: "server_error", param: null, code: null } },
          { status: 503, headers: { "retry-after-ms": "10", "x-request-id": "req_1" } }
        )
      }
      return yield* HttpServerResponse.json(batchJson({ status: "cancelling" }))
    })
  ),
  HttpRouter.get(
    "/v1/vector_stores/:vs/file_batches/:batch",
    HttpServerResponse.json(
      batchJson({
        status: "cancelled",
        file_counts: { in_progress: 0, completed: 3, failed: 0, cancelled: 12, total: 15 }
      }),
      { headers: { "openai-poll-after-ms": "5" } }
    )
  )
)

const ServerLive = HttpServer.serve(router).pipe(
  Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }))
)

const ClientLive = Layer.unwrapEffect(
  Effect.gen(function*() {
    const server = yield* HttpServer.HttpServer
    const address = server.address as HttpServer.TcpAddress
    return FileBatchClient.layer.pipe(
      Layer.provide(FileBatchConfig.layer({ apiKey, baseUrl: `http://127.0.0.1:${address.port}/v1` }))
    )
  })
).pipe(Layer.provide(NodeHttpClient.layerUndici))

describe("the real client against a real server on 127.0.0.1", () => {
  layer(Layer.provideMerge(ClientLive, ServerLive), { excludeTestServices: true })((it) => {
    it.effect("retries a 503, then cancels and follows the batch to `cancelled`", () =>
      Effect.gen(function*() {
        const batch = yield* cancelAndAwait(ref, { pollInterval: "10 millis" })
        expect(batch.status).toBe("cancelled")
        expect(batch.file_counts.cancelled).toBe(12)
        expect(cancels).toBe(2)
        expect(seenHeaders[0]["authorization"]).toBe(`Bearer ${apiKey}`)
        expect(seenHeaders[0]["user-agent"]).toMatch(/^filebatch-core\//)
      }))
  })

  it.live("a refused connection is a ConnectionError", () =>
    Effect.gen(function*() {
      // Port 9 (discard) on loopback: nothing listens there in a test sandbox.
      const error = yield* cancelFileBatch(ref).pipe(
        Effect.flip,
        Effect.provide(
          FileBatchClient.layer.pipe(
            Layer.provide(NodeHttpClient.layerUndici),
            Layer.provide(FileBatchConfig.layer({ apiKey, baseUrl: "http://127.0.0.1:9/v1", maxRetries: 0 }))
          )
        )
      )
      expect(error._tag).toBe("ConnectionError")
      expect(error.message).toMatch(/ECONNREFUSED/)
    }))

  // A server that reads requests and never answers; closed connections are counted, and the
  // first request's arrival and the close of its connection are events to wait for.
  const hangingServer = Effect.acquireRelease(
    Effect.async<{
      url: string
      received: Array<IncomingMessage>
      closed: () => number
      arrived: Promise<void>
      firstClosed: Promise<void>
      close: () => void
    }>((resume) => {
      const received: Array<IncomingMessage> = []
      let closed = 0
      let arrive = () => {}
      let firstClose = () => {}
      const arrived = new Promise<void>((resolve) => (arrive = resolve))
      const firstClosed = new Promise<void>((resolve) => (firstClose = resolve))
      const server = createServer((request) => {
        received.push(request)
        arrive()
        request.socket.once("close", () => {
          closed++
          firstClose()
        })
      })
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as { port: number }
        resume(Effect.succeed({
          url: `http://127.0.0.1:${port}/v1`,
          received,
          closed: () => closed,
          arrived,
          firstClosed,
          close: () => server.closeAllConnections()
        }))
      })
    }),
    (server) => Effect.sync(server.close)
  )

  const clientFor = (baseUrl: string) =>
    FileBatchClient.layer.pipe(
      Layer.provide(NodeHttpClient.layerUndici),
      Layer.provide(FileBatchConfig.layer({ apiKey, baseUrl, maxRetries: 0, timeout: "200 millis" }))
    )

  it.live("on the live clock, a hung attempt times out and its connection is closed", () =>
    Effect.gen(function*() {
      const server = yield* hangingServer
      // Built for the whole test, so that closing the layer cannot be what closes the connection.
      const client = yield* Layer.build(clientFor(server.url))
      const started = Date.now()
      const error = yield* cancelFileBatch(ref).pipe(Effect.flip, Effect.provide(client))
      expect(error._tag).toBe("TimeoutError")
      expect(error._tag === "TimeoutError" && error.reason).toBe("attempt")
      expect(Date.now() - started).toBeGreaterThanOrEqual(190)
      expect(server.received).toHaveLength(1)
      yield* Effect.promise(() => server.firstClosed)
      expect(server.closed()).toBe(1)
    }).pipe(Effect.scoped))

  it.live("on the live clock, interrupting a call aborts its request", () =>
    Effect.gen(function*() {
      const server = yield* hangingServer
      const client = yield* Layer.build(clientFor(server.url))
      const fiber = yield* cancelFileBatch(ref).pipe(
        Effect.provide(client),
        Effect.timeoutFail({ duration: "5 seconds", onTimeout: () => "slow" as const }),
        Effect.fork
      )
      yield* Effect.promise(() => server.arrived)
      const exit = yield* Fiber.interrupt(fiber)
      expect(Exit.isInterrupted(exit)).toBe(true)
      yield* Effect.promise(() => server.firstClosed)
      expect(server.closed()).toBe(1)
    }).pipe(Effect.scoped))
})
