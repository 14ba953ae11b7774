/**
 * `filebatch cleanup` through a bundled proxy, as a user with a client key runs it: the key's
 * operations decide what it may do, and every detach (and refused delete) is in the audit trail.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import {
  adminUrlOf,
  runCli,
  type RunningEmulator,
  type RunningProxy,
  seedBatch,
  startEmulator,
  startProxy,
  trailFile
} from "@filebatch/testkit"
import { Effect } from "effect"

const upstreamKey = "sk-cleanup-upstream-000111"
const cleanerKey = "sk-cleanup-client-cleaner-333"
let upstream: RunningEmulator
let proxy: RunningProxy
let admin: string

beforeAll(async () => {
  // Files take an hour and a cancel takes at once: the cancelled files are made, not waited for.
  upstream = await startEmulator({ keys: [upstreamKey], fileMillis: 3_600_000, cancelDelayMillis: 0 })
  proxy = await startProxy({
    upstreamUrl: upstream.emulator.url,
    upstreamKey,
    clients: [{
      name: "cleaner",
      key: cleanerKey,
      vectorStores: "*",
      operations: ["cancel", "listFiles", "listVectorStoreFiles", "deleteVectorStoreFile"]
    }],
    env: {
      FILEBATCH_PROXY_AUDIT_FILE: trailFile(),
      FILEBATCH_PROXY_ADMIN_PORT: "0"
    }
  })
  admin = await adminUrlOf(proxy)
}, 60_000)

afterAll(async () => {
  await proxy?.stop()
  await upstream?.close()
})

const cancelledStoreFiles = (vectorStoreId: string) =>
  Effect.runPromise(
    Effect.orDie(upstream.emulator.store.listStoreFiles(vectorStoreId, { limit: "100", filter: "cancelled" }))
  ).then((list) => (list["data"] as Array<{ id: string }>).map((file) => file.id))

describe("filebatch cleanup through the proxy", () => {
  it("detaches the cancelled files with a key that names the operations; a delete it may not call is refused and audited", async () => {
    const { batchId, vectorStoreId } = await seedBatch(upstream.emulator, ["file-p0", "file-p1", "file-p2"])
    const viaProxy = { OPENAI_API_KEY: cleanerKey, OPENAI_BASE_URL: `${proxy.url}/v1` }
    expect((await runCli(["cancel", vectorStoreId, batchId], viaProxy)).code).toBe(0)

    const refused = await runCli(["cleanup", vectorStoreId, batchId, "--delete-files", "--yes", "--json"], viaProxy)
    expect(refused.code).toBe(7)
    const outcomes = refused.stdout.trim().split("\n").map((line) => JSON.parse(line))
    expect(outcomes.map((line) => [line.outcome, line.error.type, line.error.status])).toEqual([
      ["failed", "PermissionDeniedError", 403],
      ["failed", "PermissionDeniedError", 403],
      ["failed", "PermissionDeniedError", 403]
    ])
    expect((await cancelledStoreFiles(vectorStoreId)).sort()).toEqual(["file-p0", "file-p1", "file-p2"])

    const cleaned = await runCli(["cleanup", vectorStoreId, batchId], viaProxy)
    expect(cleaned.code, cleaned.stderr).toBe(0)
    expect(cleaned.stderr).toBe("3 files: 3 detached, 0 already gone, 0 failed\n")
    expect(await cancelledStoreFiles(vectorStoreId)).toEqual([])

    const trail = await runCli(["audit", "--admin-url", admin, "--vector-store", vectorStoreId, "--json"])
    const records = trail.stdout.trim().split("\n").map((line) => JSON.parse(line))
    const deletes = records.filter((record) => record.operation !== "cancel")
    expect(deletes.map((record) => [record.key, record.operation, record.status]).sort()).toEqual([
      ["cleaner", "deleteVectorStoreFile", 200],
      ["cleaner", "deleteVectorStoreFile", 200],
      ["cleaner", "deleteVectorStoreFile", 200]
    ])
    expect(deletes.map((record) => record.file_id).sort()).toEqual(["file-p0", "file-p1", "file-p2"])
    // The refused File deletes name no store: the whole trail has them, by key.
    const all = await runCli(["audit", "--admin-url", admin, "--key", "cleaner", "--json"])
    const refusedDeletes = all.stdout.trim().split("\n").map((line) => JSON.parse(line)).filter((record) =>
      record.operation === "deleteFile"
    )
    expect(refusedDeletes.map((record) => [record.status, record.vector_store_id])).toEqual([
      [403, null],
      [403, null],
      [403, null]
    ])
  })
})
