/**
 * One layer retries, not two: for each upstream fault, the official `openai` package
 * through the proxy makes no more upstream calls than it makes talking to the upstream
 * directly, because the proxy retries (through core) and then tells the SDK not to
 * (`x-should-retry: false`); the SDK sends the proxy one request.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import type { Fault } from "@filebatch/emulator"
import OpenAI from "openai"
import {
  clientKeys,
  eventually,
  run,
  type RunningEmulator,
  type RunningProxy,
  seed,
  startEmulator,
  startProxy,
  upstreamKey,
  upstreamRequests
} from "./harness.js"

// The SDK's retries on both sides. Attempts may take far longer than any answer takes on a
// loaded machine, so that only an injected hang times out; for the hang, a short limit
// (on a proxy of its own) keeps the test to seconds.
const maxRetries = 2
const attemptMillis = 30_000
const hangAttemptMillis = 1000

let upstream: RunningEmulator
let proxy: RunningProxy
let hangProxy: RunningProxy

beforeAll(async () => {
  upstream = await startEmulator()
  const env = (timeout: number) => ({ FILEBATCH_MAX_RETRIES: String(maxRetries), FILEBATCH_TIMEOUT: `${timeout}ms` })
  proxy = await startProxy(upstream.emulator, env(attemptMillis))
  hangProxy = await startProxy(upstream.emulator, env(hangAttemptMillis))
})

afterAll(async () => {
  await proxy?.stop()
  await hangProxy?.stop()
  await upstream?.close()
})

const faults: ReadonlyArray<[string, Fault.Fault]> = [
  ["409", { kind: "status", status: 409 }],
  ["500", { kind: "status", status: 500 }],
  ["503 with x-should-retry: false", { kind: "status", status: 503, shouldRetry: false }],
  ["429 with retry-after-ms: 50", { kind: "status", status: 429, retryAfterMs: 50 }],
  ["truncated body", { kind: "truncate" }],
  ["HTML body", { kind: "non-json" }],
  ["connection reset", { kind: "reset" }],
  ["hang", { kind: "hang" }]
]

const upstreamCalls = async (batchId: string) =>
  (await upstreamRequests(upstream.emulator)).filter((entry) => entry.batchId === batchId).length

const observe = async ([name, fault]: [string, Fault.Fault]) => {
  const { batchId, vectorStoreId } = await seed(upstream.emulator)
  await run(upstream.emulator.addFaults([{ batchId, times: "always", fault }]))
  const hangs = fault.kind === "hang"
  const through = hangs ? hangProxy : proxy
  const timeout = hangs ? hangAttemptMillis : attemptMillis
  const direct = new OpenAI({ apiKey: upstreamKey, baseURL: upstream.emulator.url, maxRetries, timeout })
  await direct.vectorStores.fileBatches.cancel(batchId, { vector_store_id: vectorStoreId }).catch(() => undefined)
  const directCalls = await upstreamCalls(batchId)
  // Through the proxy the SDK waits longer than the proxy's own retries take, so that only
  // the proxy's answer (and its x-should-retry) decides.
  const viaProxy = new OpenAI({ apiKey: clientKeys.a, baseURL: `${through.url}/v1`, maxRetries, timeout: 120_000 })
  const proxyError = await viaProxy.vectorStores.fileBatches.cancel(batchId, { vector_store_id: vectorStoreId })
    .then(() => undefined, (error: unknown) => error)
  const proxiedCalls = (await upstreamCalls(batchId)) - directCalls
  // The line of the answer the SDK ended with is written before that answer is sent, so
  // once it is read every line before it is too.
  const status = (proxyError as { status?: number }).status
  const lines = () => through.output().split("\n").filter((line) => line.includes(`"batch_id":"${batchId}"`))
  await eventually("the proxy's line of the final answer", () => lines().some((l) => l.includes(`"status":${status},`)))
  const proxyRequests = lines().length
  return { name, directCalls, proxyError, proxiedCalls, proxyRequests }
}

describe("the official SDK through the proxy: no retry amplification", () => {
  it("for every fault, the SDK sends one request and the upstream sees no more calls than from the SDK directly", async () => {
    const observed = await Promise.all(faults.map(observe))
    for (const row of observed) {
      // Through the proxy every fault ends as a typed API error (directly, some are a TypeError or a string).
      expect(row.proxyError, row.name).toBeInstanceOf(OpenAI.APIError)
      expect(row.proxyRequests, `${row.name}: requests the SDK sent the proxy`).toBe(1)
      expect(row.proxiedCalls, `${row.name}: upstream calls through the proxy`).toBeLessThanOrEqual(row.directCalls)
      expect(row.proxiedCalls, row.name).toBeGreaterThanOrEqual(1)
    }
    // x-should-retry: false from the upstream is honoured by the proxy as by the SDK: one call.
    expect(observed.find((row) => row.name.startsWith("503"))?.proxiedCalls).toBe(1)
  })

  it("the proxy's final answers tell the SDK not to retry", async () => {
    const { batchId, vectorStoreId } = await seed(upstream.emulator)
    const path = `/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}`
    const final = await fetch(`${proxy.url}${path}`, { method: "DELETE", headers: { authorization: "Bearer x" } })
    expect(final.status).toBe(405)
    expect(final.headers.get("x-should-retry")).toBe("false")
    const unknownKey = await fetch(`${proxy.url}${path}`, { headers: { authorization: "Bearer sk-nobody" } })
    expect(unknownKey.headers.get("x-should-retry")).toBe("false")
  })
})
