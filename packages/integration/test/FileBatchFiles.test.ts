import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { FileBatchClient, FileBatchConfig, listBatchFilePages, listBatchFiles } from "@filebatch/core"
import { run, seedBatch, startEmulator } from "@filebatch/testkit"
import { Chunk, Effect, Layer, Stream } from "effect"

const key = "sk-core-files-test"

describe("listBatchFiles against the emulator", () => {
  it("follows every page, filters, and checks the query before sending anything", async () => {
    const { close, emulator } = await startEmulator({
      keys: [key],
      fileMillis: 50,
      parallelism: 10,
      holdProgress: true
    })
    try {
      const { batchId, vectorStoreId } = await seedBatch(emulator, 250)
      await run(emulator.progress.advance(50)) // 10 completed
      await run(Effect.orDie(emulator.store.cancelBatch(vectorStoreId, batchId)))
      await run(emulator.progress.advance(1000)) // the other 240 cancelled
      const client = FileBatchClient.layer.pipe(
        Layer.provide(NodeHttpClient.layerUndici),
        Layer.provide(FileBatchConfig.layer({ apiKey: key, baseUrl: emulator.url }))
      )
      const ref = { vectorStoreId, batchId }
      const ids = (options: Parameters<typeof listBatchFiles>[1]) =>
        Effect.runPromise(
          listBatchFiles(ref, options).pipe(
            Stream.map((file) => `${file.id}:${file.status}`),
            Stream.runCollect,
            Effect.map(Chunk.toReadonlyArray),
            Effect.provide(client)
          )
        )
      await run(emulator.clearRequests)
      const cancelled = await ids({ filter: "cancelled", order: "asc", pageSize: 100 })
      expect(cancelled).toHaveLength(240)
      expect(cancelled[0]).toBe("file-10:cancelled")
      expect(new Set(cancelled).size).toBe(240)
      // Three pages of 100, 100 and 40, each with the cursor of the last.
      const requests = (await run(emulator.requests)).map((entry) => entry.path)
      expect(requests).toHaveLength(3)
      expect(requests[1]).toMatch(/after=file-109/)
      expect(await ids({ filter: "completed", pageSize: 7 })).toHaveLength(10)
      // The pages themselves: each with the JSON as received beside the decoded list.
      const pages = await Effect.runPromise(
        listBatchFilePages(ref, { filter: "completed", pageSize: 7 }).pipe(
          Stream.runCollect,
          Effect.map(Chunk.toReadonlyArray),
          Effect.provide(client)
        )
      )
      expect(pages.map((page) => page.list.data.length)).toEqual([7, 3])
      expect(pages.map((page) => (page.json as { data: Array<{ id: string }> }).data.map((file) => file.id)))
        .toEqual(pages.map((page) => page.list.data.map((file) => file.id)))
      const error = await Effect.runPromise(
        listBatchFiles({ vectorStoreId: batchId, batchId: vectorStoreId }).pipe(
          Stream.runDrain,
          Effect.flip,
          Effect.provide(client)
        )
      )
      expect(error._tag).toBe("InvalidArgumentError")
    } finally {
      await close()
    }
  })
})
