import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { request as httpRequest } from "node:http"
import { connect } from "node:net"
import OpenAI from "openai"
import {
  call,
  clientKeys,
  errorOf,
  eventually,
  run,
  type RunningEmulator,
  type RunningProxy,
  seed,
  seedFiles,
  startEmulator,
  startProxy,
  untilHeld,
  upstreamKey,
  upstreamRequests
} from "./harness.js"

let upstream: RunningEmulator
let proxy: RunningProxy
const replies: Array<string> = []

const track = async <A extends { text: string }>(reply: Promise<A>) => {
  const value = await reply
  replies.push(value.text)
  return value
}

beforeAll(async () => {
  // Held: a batch moves only when a test advances it.
  upstream = await startEmulator({ cancelDelayMillis: 200, holdProgress: true })
  proxy = await startProxy(upstream.emulator, { FILEBATCH_MAX_RETRIES: "0" }, { a: "*" })
}, 30_000)

afterAll(async () => {
  await proxy?.stop()
  // The upstream key never reaches a log line or an answer.
  expect(proxy.output()).not.toContain(upstreamKey)
  for (const text of replies) expect(text).not.toContain(upstreamKey)
  await upstream?.close()
})

const sdk = (key = clientKeys.a) => new OpenAI({ apiKey: key, baseURL: `${proxy.url}/v1`, maxRetries: 0 })

describe("the bundled proxy in front of the emulator", () => {
  it("the official SDK cancels and retrieves through it, getting exactly what the upstream answers", async () => {
    const { batchId, vectorStoreId } = await seed(upstream.emulator)
    const cancelled = await sdk().vectorStores.fileBatches.cancel(batchId, { vector_store_id: vectorStoreId })
    expect(cancelled).toMatchObject({ id: batchId, vector_store_id: vectorStoreId, status: "in_progress" })
    await run(upstream.emulator.progress.advance(200))
    const viaProxy = await sdk().vectorStores.fileBatches.retrieve(batchId, { vector_store_id: vectorStoreId })
    const direct = await fetch(`${upstream.emulator.url}/vector_stores/${vectorStoreId}/file_batches/${batchId}`, {
      headers: { authorization: `Bearer ${upstreamKey}` }
    }).then((r) => r.json())
    expect({ ...viaProxy }).toEqual(direct)
    expect(viaProxy.status).toBe("cancelled")
    // Byte for byte: the proxy passes the upstream body on as received.
    const path = `/vector_stores/${vectorStoreId}/file_batches/${batchId}`
    const rawDirect = await fetch(`${upstream.emulator.url}${path}`, {
      headers: { authorization: `Bearer ${upstreamKey}` }
    }).then((r) => r.text())
    const rawProxy = await call(proxy.url, "GET", `/v1${path}`)
    expect(rawProxy.text).toBe(rawDirect)
  })

  it("the SDK lists a batch's files through it, all pages, with the same key scope and checked queries", async () => {
    const { batchId, vectorStoreId } = await seedFiles(upstream.emulator, 45)
    await run(Effect.orDie(upstream.emulator.store.cancelBatch(vectorStoreId, batchId)))
    await run(upstream.emulator.progress.advance(200))
    const seen: Array<string> = []
    for await (
      const file of sdk().vectorStores.fileBatches.listFiles(batchId, {
        vector_store_id: vectorStoreId,
        filter: "cancelled",
        limit: 20
      })
    ) seen.push(`${file.id}:${file.status}`)
    expect(seen).toHaveLength(45)
    expect(seen.every((entry) => entry.endsWith(":cancelled"))).toBe(true)
    const path = `/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}/files`
    const outOfScope = await call(proxy.url, "GET", path, { key: clientKeys.b })
    expect(outOfScope.status).toBe(403)
    for (const [query, param] of [["limit=0", "limit"], ["order=up", "order"], ["filter=done", "filter"]] as const) {
      const bad = await call(proxy.url, "GET", `${path}?${query}`)
      expect(bad.status, query).toBe(400)
      expect(errorOf(bad), query).toMatchObject({ param, code: "invalid_value" })
    }
  })

  it("the SDK's NotFoundError, AuthenticationError and RateLimitError surface with status and message", async () => {
    const { batchId, vectorStoreId } = await seed(upstream.emulator)
    const notFound = await sdk().vectorStores.fileBatches.retrieve("vsfb_nope", { vector_store_id: vectorStoreId })
      .catch((e: unknown) => e)
    expect(notFound).toBeInstanceOf(OpenAI.NotFoundError)
    expect((notFound as InstanceType<typeof OpenAI.NotFoundError>).message).toMatch(
      /No file batch found with id 'vsfb_nope'/
    )
    const unauthenticated = await sdk("sk-not-a-client").vectorStores.fileBatches.retrieve(batchId, {
      vector_store_id: vectorStoreId
    }).catch((e: unknown) => e)
    expect(unauthenticated).toBeInstanceOf(OpenAI.AuthenticationError)
    expect((unauthenticated as InstanceType<typeof OpenAI.AuthenticationError>).status).toBe(401)
    await Effect.runPromise(upstream.emulator.addFaults([
      { batchId, operation: "cancel", fault: { kind: "status", status: 429, retryAfter: 7, message: "Slow down." } }
    ]))
    const limited = await sdk().vectorStores.fileBatches.cancel(batchId, { vector_store_id: vectorStoreId })
      .catch((e: unknown) => e)
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError)
    expect((limited as InstanceType<typeof OpenAI.RateLimitError>).message).toMatch(/Slow down\./)
    expect((limited as InstanceType<typeof OpenAI.RateLimitError>).headers?.get("retry-after")).toBe("7")
  })

  it("missing or unknown keys get 401, a store outside the key's scope 403, and nothing goes upstream", async () => {
    const { batchId, vectorStoreId } = await seed(upstream.emulator)
    await Effect.runPromise(upstream.emulator.clearRequests)
    const path = `/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}/cancel`
    const missing = await track(call(proxy.url, "POST", path, { key: null }))
    expect(missing.status).toBe(401)
    expect(errorOf(missing)["message"]).toMatch(/You didn't provide an API key/)
    const unknown = await track(call(proxy.url, "POST", path, { key: "sk-unknown-client-key" }))
    expect(unknown.status).toBe(401)
    expect(errorOf(unknown)["code"]).toBe("invalid_api_key")
    expect(unknown.text).not.toContain("sk-unknown-client-key")
    const outOfScope = await track(call(proxy.url, "POST", path, { key: clientKeys.b }))
    expect(outOfScope.status).toBe(403)
    expect(errorOf(outOfScope)).toMatchObject({ param: "vector_store_id", type: "permission_error" })
    // The client's Authorization is never what goes upstream.
    await track(call(proxy.url, "GET", `/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}`))
    const log = await upstreamRequests(upstream.emulator)
    expect(log).toHaveLength(1)
    expect(log[0].headers["authorization"]).toMatch(/…3a9c \(redacted\)$/)
  })

  it("rejects every class of hostile ID with a 400 naming the parameter, sending nothing upstream", async () => {
    await Effect.runPromise(upstream.emulator.clearRequests)
    const bad: Array<[string, string]> = [
      ["/v1/vector_stores/vs_1/file_batches/..", "batch_id"],
      ["/v1/vector_stores/../file_batches/vsfb_1", "vector_store_id"],
      ["/v1/vector_stores/vs_1/file_batches/vsfb_a%2F..%2Fx", "batch_id"],
      ["/v1/vector_stores/vs_1%2F..%2Ffiles/file_batches/vsfb_1/cancel", "vector_store_id"],
      ["/v1/vector_stores/vs_1/file_batches/vsfb_1%0D%0AX-Injected:%201", "batch_id"],
      ["/v1/vector_stores/vs_1/file_batches/vsfb_%00", "batch_id"],
      ["/v1/vector_stores/vs_%C3%A9t%C3%A9/file_batches/vsfb_1", "vector_store_id"],
      ["/v1/vector_stores/vs_1/file_batches/vsfb_%E0%A4%A", "batch_id"],
      [`/v1/vector_stores/vs_1/file_batches/vsfb_${"a".repeat(200)}`, "batch_id"],
      ["/v1/vector_stores/vs_1/file_batches/vsfb%20x", "batch_id"]
    ]
    for (const [path, param] of bad) {
      // node:http sends the path as given; fetch would normalise `..` away before sending.
      const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const { hostname, port } = new URL(proxy.url)
        const request = httpRequest({
          host: hostname,
          port: Number(port),
          path,
          method: "GET",
          headers: { authorization: `Bearer ${clientKeys.a}` }
        }, (response) => {
          let body = ""
          response.on("data", (chunk) => (body += chunk))
          response.on("end", () => resolve({ status: response.statusCode ?? 0, body }))
        })
        request.on("error", reject)
        request.end()
      })
      replies.push(reply.body)
      expect(reply.status, path).toBe(400)
      expect(JSON.parse(reply.body).error, path).toMatchObject({ type: "invalid_request_error", param })
    }
    // Raw CR/LF and non-ASCII bytes never make it past node's parser; the answer is still OpenAI-shaped.
    const raw = await new Promise<string>((resolve) => {
      const address = new URL(proxy.url)
      const socket = connect(Number(address.port), address.hostname, () => {
        socket.write(
          Buffer.from(`GET /v1/vector_stores/vs_\xe9/file_batches/vsfb_1 HTTP/1.1\r\nHost: x\r\n\r\n`, "latin1")
        )
      })
      let data = ""
      socket.on("data", (chunk) => (data += chunk.toString()))
      socket.on("close", () => resolve(data))
    })
    expect(raw).toMatch(/^HTTP\/1\.1 400/)
    expect(raw).toMatch(/"type":"invalid_request_error"/)
    expect(await upstreamRequests(upstream.emulator)).toHaveLength(0)
  })

  it("bounds request bodies (413), answers 404 and 405 like OpenAI, and serves health, readiness, docs", async () => {
    const { batchId, vectorStoreId } = await seed(upstream.emulator)
    await Effect.runPromise(upstream.emulator.clearRequests)
    const path = `/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}/cancel`
    const big = await track(
      call(proxy.url, "POST", path, { body: "x".repeat(300_000), headers: { "content-type": "application/json" } })
    )
    expect(big.status).toBe(413)
    // A body of unknown length is refused as it passes the limit: the client gets the 413, or (when it is still
    // sending as the proxy closes) a broken upload; either way the proxy answered 413 and sent nothing upstream.
    const chunked = await call(proxy.url, "POST", path, {
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < 300; i++) controller.enqueue(new TextEncoder().encode("y".repeat(1000)))
          controller.close()
        }
      }),
      headers: { "content-type": "application/json", "x-request-id": "req_chunked_413" }
    }).then((reply) => reply.status, () => "upload broken")
    expect([413, "upload broken"]).toContain(chunked)
    await eventually(
      "the 413 of the chunked body in the access log",
      async () => proxy.output().split("\n").some((line) => line.includes("req_chunked_413") && line.includes("413"))
    )
    expect(await upstreamRequests(upstream.emulator)).toHaveLength(0)
    const other = await track(call(proxy.url, "GET", "/v1/files"))
    expect(other.status).toBe(404)
    expect(errorOf(other)["message"]).toBe("Invalid URL (GET /v1/files)")
    const method = await track(call(proxy.url, "DELETE", path))
    expect(method.status).toBe(405)
    expect(method.headers.get("allow")).toBe("POST")
    expect((await call(proxy.url, "GET", "/healthz")).json).toEqual({ status: "ok" })
    expect((await call(proxy.url, "GET", "/readyz")).json).toEqual({ status: "ready" })
    const openapi = (await call(proxy.url, "GET", "/openapi.json")).json as { paths: Record<string, unknown> }
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining([
      "/v1/vector_stores/{vector_store_id}/file_batches/{batch_id}/cancel",
      "/v1/vector_stores/{vector_store_id}/file_batches/{batch_id}"
    ]))
    const docs = await call(proxy.url, "GET", "/docs")
    expect(docs.headers.get("content-type")).toMatch(/text\/html/)
    expect(docs.text).toContain("/openapi.json")
  })

  it("coalesces concurrent identical cancels into one upstream call; every caller gets the answer", async () => {
    const { batchId, vectorStoreId } = await seed(upstream.emulator)
    await Effect.runPromise(upstream.emulator.clearRequests)
    await run(upstream.emulator.addFaults([{ batchId, operation: "cancel", fault: { kind: "hold" } }]))
    const path = `/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}/cancel`
    const pending = Array.from({ length: 25 }, () => track(call(proxy.url, "POST", path)))
    // The upstream call is held until all 25 callers are inside the proxy (26 with the scrape).
    await untilHeld(upstream.emulator, 1)
    await eventually(
      "25 callers in flight",
      async () => /^filebatch_proxy_in_flight_requests 26$/m.test((await call(proxy.url, "GET", "/metrics")).text)
    )
    await run(upstream.emulator.releaseHeld)
    const answers = await Promise.all(pending)
    expect(answers.every((a) => a.status === 200)).toBe(true)
    expect(new Set(answers.map((a) => a.text)).size).toBe(1)
    const cancels = (await upstreamRequests(upstream.emulator)).filter((e) => e.operation === "cancel")
    expect(cancels).toHaveLength(1)
    // Nothing is cached afterwards: the next cancel goes upstream again.
    await track(call(proxy.url, "POST", path))
    expect((await upstreamRequests(upstream.emulator)).filter((e) => e.operation === "cancel")).toHaveLength(2)
    const coalescedLines = () =>
      proxy.output().split("\n").filter((line) =>
        line.includes(`"batch_id":"${batchId}"`) && line.includes("\"coalesced\":true")
      ).length
    await eventually(
      "26 access log lines",
      () => proxy.output().split("\n").filter((line) => line.includes(`"batch_id":"${batchId}"`)).length >= 26
    )
    expect(coalescedLines()).toBe(24)
  })

  it("sends its request id upstream and returns it; logs one JSON line per request with it", async () => {
    const { batchId, vectorStoreId } = await seed(upstream.emulator)
    await Effect.runPromise(upstream.emulator.clearRequests)
    const reply = await track(call(proxy.url, "GET", `/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}`, {
      headers: { "x-request-id": "trace-abc-123" }
    }))
    expect(reply.headers.get("x-request-id")).toBe("trace-abc-123")
    expect(reply.headers.get("openai-request-id")).toMatch(/^req_/)
    const [sent] = await upstreamRequests(upstream.emulator)
    expect(sent.headers["x-client-request-id"]).toBe("trace-abc-123")
    const line = await eventually(
      "the access log line",
      () => proxy.output().split("\n").find((l) => l.includes("\"request_id\":\"trace-abc-123\""))
    )
    const entry = JSON.parse(line!) as Record<string, unknown>
    expect(entry).toMatchObject({
      level: "info",
      message: "request",
      key: "team-a",
      method: "GET",
      route: "retrieve",
      vector_store_id: vectorStoreId,
      batch_id: batchId,
      status: 200,
      upstream_attempts: 1,
      coalesced: false
    })
    expect(typeof entry["latency_ms"]).toBe("number")
    expect(Date.parse(entry["time"] as string)).toBeGreaterThan(0)
    const generated = await track(
      call(proxy.url, "GET", "/healthz", { headers: { "x-request-id": "bad id\twith tab" } })
    )
    expect(generated.headers.get("x-request-id")).toMatch(/^req_[0-9a-f]{32}$/)
  })

  it("metrics move", async () => {
    const metrics = (await call(proxy.url, "GET", "/metrics")).text
    const value = (name: string) =>
      metrics.split("\n").filter((l) => l.startsWith(name)).reduce((sum, l) => sum + Number(l.split(" ").at(-1)), 0)
    expect(value("filebatch_proxy_requests_total")).toBeGreaterThan(10)
    expect(value("filebatch_proxy_coalesced_total")).toBeGreaterThanOrEqual(24)
    expect(value("filebatch_proxy_upstream_attempts_total")).toBeGreaterThan(0)
    expect(value("filebatch_proxy_request_duration_seconds_count")).toBeGreaterThan(10)
    expect(metrics).toContain("filebatch_proxy_in_flight_requests")
  })
})
