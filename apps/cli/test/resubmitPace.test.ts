/**
 * `resubmit`'s pace, on the test clock: OpenAI's limits are 300 attach requests a minute per
 * store and 2000 attached files a minute per organisation, so 4,100 files go as batches of
 * 2000, 2000, 100, each in a minute of its own.
 */
import { describe, expect, it } from "@effect/vitest"
import { FileBatchClient } from "@filebatch/core"
import { Effect, Fiber, Layer, TestClock } from "effect"
import { resubmitFiles, resubmitPlan } from "../src/commands/resubmit.js"

const ids = Array.from({ length: 4100 }, (_, i) => `file-${i}`)

const batchOf = (size: number) => ({
  id: `vsfb_${size}`,
  object: "vector_store.files_batch",
  created_at: 0,
  vector_store_id: "vs_1",
  status: "in_progress",
  file_counts: { in_progress: size, completed: 0, failed: 0, cancelled: 0, total: size }
})

/** A client whose creates are recorded with the test clock's time. */
const recording = (sent: Array<readonly [number, number]>) =>
  Layer.succeed(FileBatchClient.FileBatchClient, {
    createFileBatch: (_ref: unknown, payload: { readonly file_ids: ReadonlyArray<string> }) =>
      Effect.map(TestClock.currentTimeMillis, (now) => {
        sent.push([now, payload.file_ids.length])
        return { batch: batchOf(payload.file_ids.length), json: batchOf(payload.file_ids.length) }
      })
  } as unknown as FileBatchClient.FileBatchClientService)

describe("resubmit's pace", () => {
  it.effect("sends a batch's files only when the organisation's files-a-minute allow them", () =>
    Effect.gen(function*() {
      const sent: Array<readonly [number, number]> = []
      const run = yield* resubmitFiles("vs_1", ids, { output: "ids", wait: false, filesPerMinute: 2000 }).pipe(
        Effect.provide(recording(sent)),
        Effect.fork
      )
      yield* TestClock.adjust("59 seconds")
      expect(sent).toEqual([[0, 2000]])
      yield* TestClock.adjust("1 second")
      expect(sent).toEqual([[0, 2000], [60_000, 2000]])
      yield* TestClock.adjust("59 seconds")
      expect(sent).toHaveLength(2)
      yield* TestClock.adjust("1 second")
      expect(sent).toEqual([[0, 2000], [60_000, 2000], [120_000, 100]])
      yield* Fiber.join(run)
    }))

  it.effect("a lower setting makes smaller batches: none costs more than a minute of the pace", () =>
    Effect.gen(function*() {
      const sent: Array<readonly [number, number]> = []
      const run = yield* resubmitFiles("vs_1", ids.slice(0, 1200), { output: "ids", wait: false, filesPerMinute: 500 })
        .pipe(Effect.provide(recording(sent)), Effect.fork)
      yield* TestClock.adjust("2 minutes")
      yield* Fiber.join(run)
      expect(sent).toEqual([[0, 500], [60_000, 500], [120_000, 200]])
    }))

  it("the dry run's plan says the same batches and time", () => {
    expect(resubmitPlan("vs_1", ids, 2000)).toMatchObject({
      requests: { createFileBatch: 3 },
      seconds: 120,
      json: { batches: [2000, 2000, 100], files: 4100 }
    })
    expect(resubmitPlan("vs_1", ids.slice(0, 1200), 500)).toMatchObject({
      seconds: 120,
      json: { batches: [500, 500, 200] }
    })
  })
})
