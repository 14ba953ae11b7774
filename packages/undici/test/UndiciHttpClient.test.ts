import { HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import * as AttemptLimit from "@filebatch/core/AttemptLimit"
import { eventually } from "@filebatch/testkit"
import { UndiciHttpClient } from "@filebatch/undici"
import { Effect, Exit, Fiber } from "effect"
import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import { Agent } from "undici"

interface Seen {
  readonly method: string
  readonly url: string
  readonly headers: IncomingMessage["headers"]
  readonly body: string
}

/** A loopback server answering with `handler`; the client over a fresh agent; both closed with the scope. */
const setup = (handler: (request: IncomingMessage, response: ServerResponse) => void) =>
  Effect.gen(function*() {
    const seen: Array<Seen> = []
    let closed = 0
    const server = yield* Effect.acquireRelease(
      Effect.async<ReturnType<typeof createServer>>((resume) => {
        const server = createServer((request, response) => {
          let body = ""
          request.setEncoding("utf8")
          request.on("data", (chunk: string) => (body += chunk))
          request.socket.once("close", () => closed++)
          request.on("end", () => {
            seen.push({ method: request.method!, url: request.url!, headers: request.headers, body })
            handler(request, response)
          })
        })
        server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
      }),
      (server) => Effect.sync(() => server.close())
    )
    yield* Effect.addFinalizer(() => Effect.sync(() => server.closeAllConnections()))
    const agent = yield* Effect.acquireRelease(
      Effect.sync(() => new Agent()),
      (agent) => Effect.promise(() => agent.destroy())
    )
    const { port } = server.address() as { port: number }
    return {
      client: UndiciHttpClient.make(agent, { maxResponseBytes: 1024 }),
      url: `http://127.0.0.1:${port}`,
      seen,
      closed: () => closed
    }
  })

/** Waits for a fact the server observes (a request seen, a connection closed), never a fixed time. */
const until = (what: string, check: () => boolean) => Effect.promise(() => eventually(what, check))

describe("UndiciHttpClient", () => {
  it.scoped("sends method, path, query, headers and body; reads status, headers and the whole body", () =>
    Effect.gen(function*() {
      const { client, seen, url } = yield* setup((_, response) => {
        response.writeHead(201, { "content-type": "application/json", "x-request-id": "req_9" })
        response.end(JSON.stringify({ ok: true, text: "é" }))
      })
      const response = yield* client.execute(
        HttpClientRequest.post(`${url}/v1/things`).pipe(
          HttpClientRequest.setUrlParam("a", "b c"),
          HttpClientRequest.setHeader("x-custom", "yes"),
          HttpClientRequest.bodyText("hello")
        )
      )
      expect(response.status).toBe(201)
      expect(response.headers["x-request-id"]).toBe("req_9")
      expect(yield* response.json).toEqual({ ok: true, text: "é" })
      expect(yield* response.text).toBe("{\"ok\":true,\"text\":\"é\"}")
      expect(seen).toHaveLength(1)
      expect(seen[0]).toMatchObject({ method: "POST", url: "/v1/things?a=b+c", body: "hello" })
      expect(seen[0].headers["x-custom"]).toBe("yes")
    }))

  it.scoped("an answer over the bound fails as a ResponseError", () =>
    Effect.gen(function*() {
      const { client, url } = yield* setup((_, response) => response.end("x".repeat(5000)))
      const error = yield* Effect.flip(client.get(`${url}/big`))
      expect(error._tag).toBe("ResponseError")
      expect(String(error.cause)).toMatch(/larger than 1024 bytes/)
    }))

  it.scoped("a connection cut mid-answer is a ResponseError; a refused one a RequestError", () =>
    Effect.gen(function*() {
      const { client, url } = yield* setup((_, response) => {
        response.writeHead(200, { "content-length": "100" })
        response.write("partial")
        setTimeout(() => response.socket?.destroy(), 10)
      })
      const cut = yield* Effect.flip(client.get(`${url}/cut`))
      expect(cut._tag).toBe("ResponseError")
      const refused = yield* Effect.flip(client.get("http://127.0.0.1:9/refused"))
      expect(refused._tag).toBe("RequestError")
      expect(refused._tag === "RequestError" && refused.reason).toBe("Transport")
    }))

  it.scoped("interrupting a request aborts it", () =>
    Effect.gen(function*() {
      const { client, closed, seen, url } = yield* setup(() => {})
      const fiber = yield* Effect.fork(client.get(`${url}/hang`))
      yield* until("the request to arrive", () => seen.length > 0)
      expect(Exit.isInterrupted(yield* Fiber.interrupt(fiber))).toBe(true)
      yield* until("the connection to close", () => closed() === 1)
      expect(closed()).toBe(1)
    }))

  it.scoped("works through HttpClient combinators, which count on preprocess", () =>
    Effect.gen(function*() {
      const { client, url } = yield* setup((_, response) => response.end("ok"))
      let tapped = 0
      const counted = HttpClient.tapRequest(client, () => Effect.sync(() => tapped++))
      const text = yield* Effect.flatMap(counted.get(`${url}/a`), (response) => response.text)
      expect(text).toBe("ok")
      expect(tapped).toBe(1)
    }))

  it.scoped("enforces core's attempt limit: a request given one fails with AttemptLimit.Reached and is aborted", () =>
    Effect.gen(function*() {
      const { client, closed, url } = yield* setup(() => {})
      expect(AttemptLimit.isEnforcedBy(client)).toBe(true)
      const started = Date.now()
      const error = yield* Effect.flip(
        Effect.locally(client.execute(HttpClientRequest.get(`${url}/hang`)), AttemptLimit.current, 100)
      )
      expect(Date.now() - started).toBeGreaterThanOrEqual(95)
      expect(Date.now() - started).toBeLessThan(2_000)
      expect(error._tag).toBe("RequestError")
      expect(error.cause).toBeInstanceOf(AttemptLimit.Reached)
      yield* until("the connection to close", () => closed() === 1)
      expect(closed()).toBe(1)
    }))
})
