/**
 * A store's files through the proxy with the official SDK: listed, detached and deleted by a
 * key that names those operations; refused (403, audited, sent nowhere) for a key that does not,
 * or outside the key's stores. A File's delete names no store, so no store scope bounds it.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Testkit from "@filebatch/testkit"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import OpenAI from "openai"
import * as Harness from "./harness.js"

const cleanerKey = "sk-client-cleaner-000222"

const refusal = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error)

describe("a store's files through the proxy", () => {
  it("list, detach and delete with the SDK; refused by operation and by store, audited either way", async () => {
    const trail = join(mkdtempSync(join(tmpdir(), "filebatch-storefiles-")), "trail.jsonl")
    // Files take an hour and a cancel takes at once: cancelled files are made, not waited for.
    const upstream = await Harness.startEmulator({ fileMillis: 3_600_000, cancelDelayMillis: 0 })
    const { batchId, vectorStoreId } = await Testkit.seedBatch(upstream.emulator, ["file-a", "file-b", "file-c"])
    const other = await Testkit.seedBatch(upstream.emulator, ["file-z"])
    const proxy = await Testkit.startProxy({
      upstreamUrl: upstream.emulator.url,
      upstreamKey: Harness.upstreamKey,
      clients: [
        {
          name: "cleaner",
          key: cleanerKey,
          vectorStores: [vectorStoreId],
          operations: ["listVectorStoreFiles", "deleteVectorStoreFile", "deleteFile"]
        },
        { name: "team-a", key: Harness.clientKeys.a, vectorStores: "*" }
      ],
      env: { FILEBATCH_PROXY_AUDIT_FILE: trail }
    })
    try {
      const sdk = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${proxy.url}/v1`, maxRetries: 0 })
      const team = sdk(Harness.clientKeys.a)
      const cleaner = sdk(cleanerKey)
      await team.vectorStores.fileBatches.cancel(batchId, { vector_store_id: vectorStoreId })

      const cancelled = await cleaner.vectorStores.files.list(vectorStoreId, { filter: "cancelled", limit: 2 })
      const listed = [...cancelled.data.map((file) => file.id)]
      for await (const file of cancelled.iterPages()) listed.push(...file.data.map((f) => f.id))
      expect(new Set(listed)).toEqual(new Set(["file-a", "file-b", "file-c"]))

      const detached = await cleaner.vectorStores.files.delete("file-a", { vector_store_id: vectorStoreId })
      expect(detached).toMatchObject({ id: "file-a", object: "vector_store.file.deleted", deleted: true })
      const deleted = await cleaner.files.delete("file-b")
      expect(deleted).toMatchObject({ id: "file-b", object: "file", deleted: true })
      const left = await cleaner.vectorStores.files.list(vectorStoreId)
      expect(left.data.map((file) => file.id)).toEqual(["file-c"])

      const outside = await refusal(
        cleaner.vectorStores.files.delete("file-z", { vector_store_id: other.vectorStoreId })
      )
      expect(outside).toBeInstanceOf(OpenAI.PermissionDeniedError)
      const notNamed = await refusal(team.vectorStores.files.delete("file-c", { vector_store_id: vectorStoreId }))
      expect((notNamed as InstanceType<typeof OpenAI.PermissionDeniedError>).error).toMatchObject({
        message: "This key may not call 'deleteVectorStoreFile'."
      })
      const notNamedDelete = await refusal(team.files.delete("file-c"))
      expect(notNamedDelete).toBeInstanceOf(OpenAI.PermissionDeniedError)

      // The refused calls went nowhere: one detach and one delete reached the upstream.
      const sent = (await Harness.upstreamRequests(upstream.emulator))
        .filter((entry) => entry.method === "DELETE")
        .map((entry) => [entry.operation, entry.fileId])
      expect(sent).toEqual([["detach_file", "file-a"], ["delete_file", "file-b"]])

      const records = readFileSync(trail, "utf8").trim().split("\n").map((line) => JSON.parse(line))
      expect(records.map((r) => [r.key, r.operation, r.vector_store_id, r.file_id, r.status])).toEqual([
        ["team-a", "cancel", vectorStoreId, undefined, 200],
        ["cleaner", "deleteVectorStoreFile", vectorStoreId, "file-a", 200],
        ["cleaner", "deleteFile", null, "file-b", 200],
        ["cleaner", "deleteVectorStoreFile", other.vectorStoreId, "file-z", 403],
        ["team-a", "deleteVectorStoreFile", vectorStoreId, "file-c", 403],
        ["team-a", "deleteFile", null, "file-c", 403]
      ])
    } finally {
      await proxy.stop()
      await upstream.close()
    }
  })
})
