/**
 * Creating a batch through the proxy: the official SDK's create, the payload checked
 * before anything is spent, the key's scope, and the two rules of a create — identical
 * creates are never shared, and one that may have been accepted is not sent again.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import type { Fault } from "@filebatch/testkit"
import OpenAI from "openai"
import * as Harness from "./harness.js"

let upstream: Harness.RunningEmulator
let proxy: Harness.RunningProxy

beforeAll(async () => {
  upstream = await Harness.startEmulator()
  proxy = await Harness.startProxy(upstream.emulator)
}, 30_000)

afterAll(async () => {
  await proxy?.stop()
  expect(proxy.output()).not.toContain(Harness.upstreamKey)
  await upstream?.close()
})

/** The next create in the store meets `fault`. */
const failNextCreate = (vectorStoreId: string, fault: Fault.Fault) =>
  Harness.run(upstream.emulator.addFaults([{ operation: "create_batch", vectorStoreId, fault }]))

const newStore = async () => (await Harness.run(upstream.emulator.store.createVectorStore("create")))["id"] as string
const createsIn = async (vectorStoreId: string) =>
  (await Harness.upstreamRequests(upstream.emulator)).filter((entry) =>
    entry.operation === "create_batch" && entry.vectorStoreId === vectorStoreId
  )
const sdk = (key = Harness.clientKeys.a) => new OpenAI({ apiKey: key, baseURL: `${proxy.url}/v1`, maxRetries: 0 })
const post = (vectorStoreId: string, body: unknown, key?: string) =>
  Harness.call(proxy.url, "POST", `/v1/vector_stores/${vectorStoreId}/file_batches`, {
    body: JSON.stringify(body),
    headers: { "content-type": "application/json" },
    ...(key !== undefined ? { key } : {})
  })

describe("creating a batch through the proxy", () => {
  it("the official SDK creates one, with attributes and a chunking strategy, and reads it back", async () => {
    const vectorStoreId = await newStore()
    const created = await sdk().vectorStores.fileBatches.create(vectorStoreId, {
      file_ids: ["file-a", "file-b", "file-c"],
      attributes: { team: "rag", run: 7 },
      chunking_strategy: { type: "static", static: { max_chunk_size_tokens: 800, chunk_overlap_tokens: 400 } }
    })
    expect(created).toMatchObject({ vector_store_id: vectorStoreId, status: "in_progress", file_counts: { total: 3 } })
    const read = await sdk().vectorStores.fileBatches.retrieve(created.id, { vector_store_id: vectorStoreId })
    expect(read.id).toBe(created.id)
  })

  it("a payload the API would refuse is refused here, naming the field, and nothing reaches the upstream", async () => {
    const vectorStoreId = await newStore()
    const cases: Array<[unknown, string]> = [
      [{ file_ids: [] }, "file_ids"],
      [{ file_ids: Array.from({ length: 2001 }, (_, i) => `file-${i}`) }, "file_ids"],
      [{ file_ids: ["file a"] }, "file_ids[0]"],
      [{ file_ids: ["file-a"], colour: "blue" }, "colour"],
      [
        { file_ids: ["file-a"], attributes: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, i])) },
        "attributes"
      ],
      [{
        file_ids: ["file-a"],
        chunking_strategy: { type: "static", static: { max_chunk_size_tokens: 50, chunk_overlap_tokens: 0 } }
      }, "chunking_strategy"]
    ]
    for (const [body, param] of cases) {
      const reply = await post(vectorStoreId, body)
      expect(reply.status, JSON.stringify(body).slice(0, 80)).toBe(400)
      expect(String(Harness.errorOf(reply)["param"])).toMatch(new RegExp(`^${param.replace(/[[\]]/g, "\\$&")}`))
    }
    const notJson = await Harness.call(proxy.url, "POST", `/v1/vector_stores/${vectorStoreId}/file_batches`, {
      body: "{"
    })
    expect(notJson.status).toBe(400)
    expect(await createsIn(vectorStoreId)).toHaveLength(0)
  })

  it("under the key's scope: a store the key may not touch is a 403, before the body is looked at", async () => {
    const reply = await post("vs_other", { file_ids: ["file-a"] }, Harness.clientKeys.b)
    expect(reply.status).toBe(403)
    expect(Harness.errorOf(reply)).toMatchObject({ param: "vector_store_id", code: "forbidden" })
  })

  it("identical creates in flight at once are never shared: each makes its own batch", async () => {
    const vectorStoreId = await newStore()
    await Harness.run(upstream.emulator.addFaults([{
      operation: "create_batch",
      vectorStoreId,
      times: 2,
      fault: { kind: "hold" }
    }]))
    const body = { file_ids: ["file-a"] }
    const both = Promise.all([post(vectorStoreId, body), post(vectorStoreId, body)])
    await Harness.untilHeld(upstream.emulator, 2)
    await Harness.run(upstream.emulator.releaseHeld)
    const replies = await both
    expect(replies.map((reply) => reply.status)).toEqual([200, 200])
    const ids = replies.map((reply) => (reply.json as { id: string }).id)
    expect(new Set(ids).size).toBe(2)
    expect(await createsIn(vectorStoreId)).toHaveLength(2)
  })

  it("a create that may have been accepted upstream is not sent again; one the upstream refused with a 429 is", async () => {
    const vectorStoreId = await newStore()
    await failNextCreate(vectorStoreId, { kind: "status", status: 503, retryAfterMs: 1 })
    const refused = await post(vectorStoreId, { file_ids: ["file-a"] })
    expect(refused.status).toBe(503)
    expect(refused.headers.get("x-should-retry")).toBe("false")
    expect((await createsIn(vectorStoreId)).map((entry) => entry.status)).toEqual([503])
    await failNextCreate(vectorStoreId, { kind: "status", status: 429, retryAfterMs: 1 })
    const retried = await post(vectorStoreId, { file_ids: ["file-a"] })
    expect(retried.status).toBe(200)
    expect((await createsIn(vectorStoreId)).map((entry) => entry.status)).toEqual([503, 429, 200])
  })
})
