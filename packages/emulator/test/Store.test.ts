import { describe, expect, it } from "@effect/vitest"
import { EmulatorConfig, Store } from "@filebatch/emulator"
import { Duration, Effect, Either, TestClock } from "effect"

const setup = (options: EmulatorConfig.EmulatorOptions) =>
  Effect.gen(function*() {
    const store = Store.makeStore(EmulatorConfig.resolveSettings(options))
    const vs = yield* store.createVectorStore("test")
    const fileIds = Array.from({ length: 100 }, (_, i) => `file-${String(i).padStart(3, "0")}`)
    const batch = yield* store.createBatch(vs["id"] as string, fileIds)
    return { store, vectorStoreId: vs["id"] as string, batchId: batch["id"] as string }
  })

type Counts = { in_progress: number; completed: number; failed: number; cancelled: number; total: number }
const sum = (c: Counts) => c.in_progress + c.completed + c.failed + c.cancelled

describe("Store lifecycle on the Clock", () => {
  it.effect("processes files over time; counts always add up to the total", () =>
    Effect.gen(function*() {
      // 100 files, 10 at a time, 100 ms each: done after 1 s.
      const { batchId, store, vectorStoreId } = yield* setup({ fileMillis: 100, parallelism: 10 })
      const seen: Array<number> = []
      for (let step = 0; step <= 11; step++) {
        const batch = yield* store.retrieveBatch(vectorStoreId, batchId)
        const counts = batch["file_counts"] as Counts
        expect(sum(counts)).toBe(100)
        expect(counts.total).toBe(100)
        seen.push(counts.completed)
        expect(batch["status"]).toBe(step < 10 ? "in_progress" : "completed")
        yield* TestClock.adjust(Duration.millis(100))
      }
      expect(seen).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 100])
    }))

  it.effect("a cancel mid-flight keeps finished files, and cancels the rest after the delay", () =>
    Effect.gen(function*() {
      const { batchId, store, vectorStoreId } = yield* setup({
        fileMillis: 100,
        parallelism: 10,
        cancelDelayMillis: 300
      })
      yield* TestClock.adjust(Duration.millis(350))
      const answer = yield* store.cancelBatch(vectorStoreId, batchId)
      expect(answer["status"]).toBe("in_progress")
      expect(answer["file_counts"]).toEqual({ in_progress: 70, completed: 30, failed: 0, cancelled: 0, total: 100 })
      yield* TestClock.adjust(Duration.millis(299))
      const during = yield* store.retrieveBatch(vectorStoreId, batchId)
      expect(during["status"]).toBe("in_progress")
      expect((during["file_counts"] as Counts).completed).toBe(30)
      yield* TestClock.adjust(Duration.millis(1))
      const after = yield* store.retrieveBatch(vectorStoreId, batchId)
      expect(after["status"]).toBe("cancelled")
      expect(after["file_counts"]).toEqual({ in_progress: 0, completed: 30, failed: 0, cancelled: 70, total: 100 })
      // Nothing changes any more.
      yield* TestClock.adjust(Duration.minutes(5))
      expect(yield* store.retrieveBatch(vectorStoreId, batchId)).toEqual(after)
    }))

  it.effect("shows `cancelling` while cancelling when asked to", () =>
    Effect.gen(function*() {
      const { batchId, store, vectorStoreId } = yield* setup({ cancellingStatus: "cancelling", cancelDelayMillis: 100 })
      const answer = yield* store.cancelBatch(vectorStoreId, batchId)
      expect(answer["status"]).toBe("cancelling")
      // A second cancel while cancelling changes nothing.
      expect(yield* store.cancelBatch(vectorStoreId, batchId)).toEqual(answer)
    }))

  it.effect("cancelling a finished batch returns it unchanged, or a 400 when configured", () =>
    Effect.gen(function*() {
      const unchanged = yield* setup({ fileMillis: 10, parallelism: 100 })
      yield* TestClock.adjust(Duration.millis(10))
      const done = yield* unchanged.store.cancelBatch(unchanged.vectorStoreId, unchanged.batchId)
      expect(done["status"]).toBe("completed")
      expect((done["file_counts"] as Counts).completed).toBe(100)

      const strict = yield* setup({ fileMillis: 10, parallelism: 100, cancelTerminal: "error" })
      yield* TestClock.adjust(Duration.millis(10))
      const error = yield* Effect.flip(strict.store.cancelBatch(strict.vectorStoreId, strict.batchId))
      expect(error.status).toBe(400)
      expect(error.message).toMatch(/Cannot cancel file batch vsfb_\w+ with status 'completed'/)
    }))

  it.effect("fails about the configured share of files, the same ones every time", () =>
    Effect.gen(function*() {
      const { batchId, store, vectorStoreId } = yield* setup({ fileMillis: 10, parallelism: 100, failureRatio: 0.3 })
      yield* TestClock.adjust(Duration.millis(10))
      const batch = yield* store.retrieveBatch(vectorStoreId, batchId)
      const counts = batch["file_counts"] as Counts
      // Binomial(100, 0.3): 10–50 is more than 4 standard deviations either side.
      expect(counts.failed).toBeGreaterThan(10)
      expect(counts.failed).toBeLessThan(50)
      expect(counts.failed + counts.completed).toBe(100)
      expect(batch["status"]).toBe("completed")
      const failedFiles = yield* store.listFiles(vectorStoreId, batchId, { filter: "failed", limit: "100" })
      expect((failedFiles["data"] as Array<unknown>).length).toBe(counts.failed)
    }))

  it.effect("a batch whose every file fails is `failed`", () =>
    Effect.gen(function*() {
      const { batchId, store, vectorStoreId } = yield* setup({ fileMillis: 10, parallelism: 100, failureRatio: 1 })
      yield* TestClock.adjust(Duration.millis(10))
      expect((yield* store.retrieveBatch(vectorStoreId, batchId))["status"]).toBe("failed")
    }))

  it.effect("unknown IDs are 404s naming them", () =>
    Effect.gen(function*() {
      const { batchId, store, vectorStoreId } = yield* setup({})
      const noStore = yield* Effect.flip(store.retrieveBatch("vs_nope", batchId))
      expect(noStore).toMatchObject({ status: 404, message: "No vector store found with id 'vs_nope'." })
      const noBatch = yield* Effect.flip(store.cancelBatch(vectorStoreId, "vsfb_nope"))
      expect(noBatch.status).toBe(404)
      expect(noBatch.message).toBe(`No file batch found with id 'vsfb_nope' in vector store '${vectorStoreId}'.`)
    }))
})

describe("Store file listing", () => {
  const ids = (list: Record<string, unknown>) => (list["data"] as Array<{ id: string }>).map((f) => f.id)

  it.effect("pages with limit, order, after and before", () =>
    Effect.gen(function*() {
      const { batchId, store, vectorStoreId } = yield* setup({})
      const first = yield* store.listFiles(vectorStoreId, batchId, { limit: "3", order: "asc" })
      expect(ids(first)).toEqual(["file-000", "file-001", "file-002"])
      expect(first).toMatchObject({ object: "list", first_id: "file-000", last_id: "file-002", has_more: true })
      const next = yield* store.listFiles(vectorStoreId, batchId, { limit: "3", order: "asc", after: "file-002" })
      expect(ids(next)).toEqual(["file-003", "file-004", "file-005"])
      const back = yield* store.listFiles(vectorStoreId, batchId, { limit: "2", order: "asc", before: "file-003" })
      expect(ids(back)).toEqual(["file-001", "file-002"])
      expect(back["has_more"]).toBe(true)
      const desc = yield* store.listFiles(vectorStoreId, batchId, {})
      expect(ids(desc)).toHaveLength(20)
      expect(ids(desc)[0]).toBe("file-099")
      const tail = yield* store.listFiles(vectorStoreId, batchId, { order: "asc", after: "file-097" })
      expect(ids(tail)).toEqual(["file-098", "file-099"])
      expect(tail["has_more"]).toBe(false)
    }))

  it.effect("filters by file status", () =>
    Effect.gen(function*() {
      const { batchId, store, vectorStoreId } = yield* setup({ fileMillis: 100, parallelism: 10 })
      yield* TestClock.adjust(Duration.millis(250))
      const done = yield* store.listFiles(vectorStoreId, batchId, { filter: "completed", limit: "100" })
      expect(ids(done)).toHaveLength(20)
      const running = yield* store.listFiles(vectorStoreId, batchId, { filter: "in_progress", limit: "100" })
      expect(ids(running)).toHaveLength(80)
      const none = yield* store.listFiles(vectorStoreId, batchId, { filter: "cancelled" })
      expect(none).toMatchObject({ data: [], first_id: null, last_id: null, has_more: false })
    }))

  it.effect("rejects bad parameters with OpenAI-shaped errors", () =>
    Effect.gen(function*() {
      const { batchId, store, vectorStoreId } = yield* setup({})
      for (
        const [query, param] of [
          [{ limit: "0" }, "limit"],
          [{ limit: "101" }, "limit"],
          [{ limit: "x" }, "limit"],
          [{ order: "up" }, "order"],
          [{ filter: "done" }, "filter"],
          [{ after: "file-nope" }, "after"]
        ] as const
      ) {
        const result = yield* Effect.either(store.listFiles(vectorStoreId, batchId, query))
        expect(Either.isLeft(result) && result.left.param, JSON.stringify(query)).toBe(param)
        expect(Either.isLeft(result) && result.left.status).toBe(400)
      }
    }))
})
