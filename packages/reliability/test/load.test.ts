/**
 * Load with faults, hostile input, and shutdown under load, through the bundled proxy
 * and CLI. CI runs a smaller load (RELIABILITY_FULL=1, i.e. `pnpm test:reliability`, runs
 * the full one).
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { untilHeld } from "@filebatch/testkit"
import { Effect } from "effect"
import { request as httpRequest } from "node:http"
import { clientKey, runCli, seed, startEmulator, startProxy, upstreamKey } from "./harness.js"

const full = process.env["RELIABILITY_FULL"] === "1"
const total = full ? 5000 : 600
const concurrency = 50

let upstream: Awaited<ReturnType<typeof startEmulator>>

beforeAll(async () => {
  upstream = await startEmulator({ cancelDelayMillis: 100 })
})
afterAll(() => upstream?.close())

/** A GET or POST through node:http, path sent exactly as given. */
const raw = (
  base: string,
  method: string,
  path: string,
  headers: Record<string, string> = {}
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(base)
    const req = httpRequest({ host: hostname, port: Number(port), method, path, headers }, (res) => {
      let body = ""
      res.on("data", (chunk) => (body += chunk))
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }))
    })
    req.setTimeout(120_000, () => req.destroy(new Error("client timeout")))
    req.on("error", reject)
    req.end()
  })

const isOpenAiError = (body: string) => {
  const error = JSON.parse(body).error
  return typeof error?.message === "string" && typeof error?.type === "string" && "param" in error && "code" in error
}

describe("load with ~10% injected upstream faults", () => {
  it(
    `answers all ${total} requests, each with the batch or a correct OpenAI-shaped error; retries stay bounded`,
    async () => {
      const proxy = await startProxy(upstream.emulator.url, {
        // Long enough that only the injected hangs time out, even on a loaded machine.
        FILEBATCH_TIMEOUT: "2 seconds",
        FILEBATCH_MAX_RETRIES: "2",
        FILEBATCH_PROXY_MAX_QUEUE: "10000"
      })
      try {
        const batches = await Promise.all(Array.from({ length: 20 }, () => seed(upstream.emulator)))
        // Roughly one request in ten meets a fault, spread over every kind.
        const kinds = [
          { kind: "status", status: 500 },
          { kind: "status", status: 503, retryAfterMs: 20 },
          { kind: "status", status: 429, retryAfterMs: 20 },
          { kind: "reset" },
          { kind: "truncate" },
          { kind: "non-json" },
          { kind: "hang" },
          { kind: "drift", drift: "unknown-status" },
          { kind: "status", status: 404 }
        ] as const
        await Effect.runPromise(upstream.emulator.clearRequests)
        let next = 0
        let faultsArmed = 0
        const outcomes = new Map<number, number>()
        let wrongShape = 0
        const worker = async () => {
          while (next < total) {
            const i = next++
            const { batchId, vectorStoreId } = batches[i % batches.length]
            if (i % 10 === 0) {
              faultsArmed += 1
              // Spread over every batch; each fires on that batch's next upstream call.
              await Effect.runPromise(upstream.emulator.addFaults([{
                batchId: batches[(i / 10) % batches.length].batchId,
                fault: kinds[(i / 10) % kinds.length] as never
              }]))
            }
            const method = i % 2 === 0 ? "POST" : "GET"
            const path = `/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}${
              method === "POST" ? "/cancel" : ""
            }`
            const reply = await raw(proxy.url, method, path, { authorization: `Bearer ${clientKey}` })
            outcomes.set(reply.status, (outcomes.get(reply.status) ?? 0) + 1)
            const ok = reply.status === 200 ? JSON.parse(reply.body).id === batchId : isOpenAiError(reply.body)
            if (!ok) wrongShape += 1
          }
        }
        await Promise.all(Array.from({ length: concurrency }, worker))
        const answered = [...outcomes.values()].reduce((a, b) => a + b, 0)
        expect(answered).toBe(total)
        expect(wrongShape).toBe(0)
        expect(outcomes.get(200) ?? 0).toBeGreaterThan(total * 0.85)
        // Every status is one the fault or its retry explains.
        for (const status of outcomes.keys()) expect([200, 404, 429, 500, 502, 503, 504]).toContain(status)
        const upstreamLog = await Effect.runPromise(upstream.emulator.requests)
        const upstreamCalls = upstreamLog.length
        const faulted = upstreamLog.filter((entry) => entry.fault !== undefined).length
        // Nearly every armed fault met a request (the last few may find none after them).
        expect(faulted).toBeGreaterThan(faultsArmed * 0.8)
        // Coalescing can only lower the count; retries add at most 2 per fault.
        expect(upstreamCalls).toBeLessThanOrEqual(total + 2 * faultsArmed)
        const metrics = await raw(proxy.url, "GET", "/metrics")
        const retries = Number(metrics.body.match(/^filebatch_proxy_upstream_retries_total (\d+)/m)?.[1] ?? "0")
        expect(retries).toBeLessThanOrEqual(2 * faultsArmed)
        expect(retries).toBeGreaterThan(0)
        console.log(
          `load: ${total} requests, ${faultsArmed} faults armed, ${faulted} met, upstream calls ${upstreamCalls},` +
            ` retries ${retries},`,
          Object.fromEntries(outcomes)
        )
      } finally {
        expect(await proxy.stop()).toBe(0)
        expect(proxy.output()).not.toContain(upstreamKey)
      }
    },
    300_000
  )
})

describe("hostile input corpus", () => {
  const ids = [
    "..",
    ".",
    "%2e%2e",
    "vs_a%2Fb",
    "vs_a%5Cb",
    "vs_%0d%0aSet-Cookie:%20x",
    "vs_%00",
    "vs_%7f",
    "vs_%C3%A9",
    "vs_%F0%9F%98%80",
    "vs_%",
    "vs_%zz",
    "vs_a%20b",
    "vs_a;b",
    "vs_a'b",
    "vs_a\"b".replace("\"", "%22"),
    "vs_%3Cscript%3E",
    `vs_${"a".repeat(129)}`,
    `vs_${"%41".repeat(200)}`
  ]

  it("the proxy rejects every hostile ID, method, header and body clearly, and nothing reaches the upstream", async () => {
    const proxy = await startProxy(upstream.emulator.url)
    try {
      await Effect.runPromise(upstream.emulator.clearRequests)
      const auth = { authorization: `Bearer ${clientKey}` }
      for (const id of ids) {
        for (
          const path of [
            `/v1/vector_stores/${id}/file_batches/vsfb_1/cancel`,
            `/v1/vector_stores/vs_1/file_batches/${id}`
          ]
        ) {
          const reply = await raw(proxy.url, path.endsWith("cancel") ? "POST" : "GET", path, auth)
          expect(reply.status, path).toBe(400)
          expect(isOpenAiError(reply.body), path).toBe(true)
        }
      }
      const other: Array<[string, string, Record<string, string>, number]> = [
        ["PUT", "/v1/vector_stores/vs_1/file_batches/vsfb_1/cancel", auth, 405],
        ["DELETE", "/v1/vector_stores/vs_1/file_batches/vsfb_1", auth, 405],
        ["GET", "/v1/vector_stores/vs_1/file_batches/vsfb_1/files/file-1", auth, 404],
        ["GET", "/v1/vector_stores/vs_1/file_batches/vsfb_1/files?limit=1000", auth, 400],
        ["POST", "/v1/vector_stores/vs_1/file_batches/vsfb_1/files", auth, 405],
        ["GET", "/v1/vector_stores/vs_1/file_batches/vsfb_1/cancel/extra", auth, 404],
        ["GET", "/v1//vector_stores/vs_1/file_batches/vsfb_1", auth, 404],
        ["POST", "/v1/vector_stores/vs_1/file_batches/vsfb_1/cancel", { authorization: "Basic abc" }, 401],
        ["POST", "/v1/vector_stores/vs_1/file_batches/vsfb_1/cancel", { authorization: "Bearer" }, 401],
        ["POST", "/v1/vector_stores/vs_1/file_batches/vsfb_1/cancel", { authorization: `Bearer ${clientKey}x` }, 401],
        ["POST", "/v1/vector_stores/vs_1/file_batches/vsfb_1/cancel", { ...auth, "content-length": "999999" }, 413],
        ["GET", "/v1/vector_stores/vs_1/file_batches/vsfb_1", { ...auth, "x-big": "x".repeat(20_000) }, 431]
      ]
      for (const [method, path, headers, status] of other) {
        const reply = await raw(proxy.url, method, path, headers).catch((error: Error) => ({
          status: -1,
          body: String(error),
          headers: {}
        }))
        // Refusing an oversized body or header may close the connection before the client has read the answer.
        if ((status === 413 || status === 431) && reply.status === -1) continue
        expect(reply.status, `${method} ${path}`).toBe(status)
        expect(isOpenAiError(reply.body), `${method} ${path}`).toBe(true)
      }
      expect(await Effect.runPromise(upstream.emulator.requests)).toHaveLength(0)
    } finally {
      await proxy.stop()
    }
  })

  it("the CLI rejects every hostile ID with exit 2 and one clear line, and nothing reaches the upstream", async () => {
    await Effect.runPromise(upstream.emulator.clearRequests)
    const cliIds = ["..", "vs_a/b", "vs_a\r\nX: y", "vs_é", "vs_a b", "vs_a?b", "vs_a#b", `vs_${"a".repeat(129)}`, ""]
    for (const id of cliIds) {
      const result = await runCli(["cancel", id, "vsfb_1"], {
        OPENAI_API_KEY: upstreamKey,
        OPENAI_BASE_URL: upstream.emulator.url
      })
      expect(result.code, JSON.stringify(id)).toBe(2)
      expect(result.stderr).toMatch(/^filebatch: invalid argument: vector store ID .+\n$/s)
    }
    expect(await Effect.runPromise(upstream.emulator.requests)).toHaveLength(0)
  })
})

describe("shutdown under load", () => {
  it("SIGTERM during load: in-flight requests complete, new connections are refused, exit 0", async () => {
    const proxy = await startProxy(upstream.emulator.url, { FILEBATCH_PROXY_SHUTDOWN_GRACE: "60 seconds" })
    const batches = await Promise.all(Array.from({ length: 30 }, () => seed(upstream.emulator)))
    await Effect.runPromise(upstream.emulator.addFaults(
      batches.map(({ batchId }) => ({ batchId, times: "always" as const, fault: { kind: "hold" as const } }))
    ))
    const inFlight = batches.map(({ batchId, vectorStoreId }) =>
      raw(proxy.url, "GET", `/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}`, {
        authorization: `Bearer ${clientKey}`
      })
    )
    // Every request is inside the proxy, its upstream call held, when the signal comes.
    await untilHeld(upstream.emulator, batches.length)
    proxy.child.kill("SIGTERM")
    await proxy.waitFor(/"message":"not accepting"/)
    const late = await raw(proxy.url, "GET", "/healthz").then((r) => r.status, (error: Error) => String(error))
    expect(late).toMatch(/ECONNREFUSED/)
    await Effect.runPromise(upstream.emulator.releaseHeld)
    const answers = await Promise.all(inFlight)
    expect(answers.map((a) => a.status)).toEqual(batches.map(() => 200))
    expect(answers.every((a) => a.headers["connection"] === "close")).toBe(true)
    expect(await proxy.exit).toBe(0)
  })
})
