import { describe, expect, it } from "@effect/vitest"
import { cancelMany, FileBatchBulk } from "@filebatch/core"
import { Chunk, Clock, Duration, Effect, Fiber, Stream, TestClock } from "effect"
import { batchJson, clientLayer, fakeHttp, json, openAiError } from "./fixtures.js"

describe("cancelMany", () => {
  it.effect("reports one outcome per pair; failures do not stop the others", () =>
    Effect.gen(function*() {
      const http = fakeHttp((request) =>
        Effect.succeed(
          request.url.includes("vsfb_missing")
            ? openAiError(404, "No file batch found with id 'vsfb_missing'.")
            : json(batchJson({ id: request.url.split("/").at(-2), status: "cancelling" }))
        )
      )
      const refs = [
        { vectorStoreId: "vs_1", batchId: "vsfb_a" },
        { vectorStoreId: "vs_1", batchId: "vsfb_missing" },
        { vectorStoreId: "vs_1", batchId: "bad/id" },
        { vectorStoreId: "vs_2", batchId: "vsfb_b" }
      ]
      const outcomes = Chunk.toArray(
        yield* cancelMany(refs, { concurrency: 2 }).pipe(Stream.runCollect, Effect.provide(clientLayer(http.layer)))
      ).sort((a, b) => a.index - b.index)
      expect(outcomes.map((outcome) => outcome._tag)).toEqual(["Cancelled", "Failed", "Failed", "Cancelled"])
      expect(outcomes.map((outcome) => outcome.ref.batchId)).toEqual(refs.map((ref) => ref.batchId))
      const [first, missing, invalid, last] = outcomes
      expect(FileBatchBulk.CancelOutcome.$is("Cancelled")(first) && first.batch.id).toBe("vsfb_a")
      expect(FileBatchBulk.CancelOutcome.$is("Failed")(missing) && missing.error._tag).toBe("NotFoundError")
      expect(FileBatchBulk.CancelOutcome.$is("Failed")(invalid) && invalid.error._tag).toBe("InvalidArgumentError")
      expect(FileBatchBulk.CancelOutcome.$is("Cancelled")(last) && last.batch.id).toBe("vsfb_b")
      // The invalid pair never reached the server.
      expect(http.recorded.requests).toHaveLength(3)
    }))

  it.effect("keeps at most `concurrency` cancels in flight", () =>
    Effect.gen(function*() {
      let inFlight = 0
      let peak = 0
      const http = fakeHttp(() =>
        Effect.sync(() => {
          inFlight += 1
          peak = Math.max(peak, inFlight)
        }).pipe(
          Effect.zipRight(Effect.sleep(Duration.seconds(1))),
          Effect.map(() => {
            inFlight -= 1
            return json(batchJson())
          })
        )
      )
      const refs = Array.from({ length: 10 }, (_, i) => ({ vectorStoreId: "vs_1", batchId: `vsfb_${i}` }))
      const fiber = yield* cancelMany(refs, { concurrency: 3 }).pipe(
        Stream.runCollect,
        Effect.provide(clientLayer(http.layer)),
        Effect.fork
      )
      yield* TestClock.adjust(Duration.seconds(10))
      const outcomes = yield* Fiber.join(fiber)
      expect(Chunk.size(outcomes)).toBe(10)
      expect(peak).toBe(3)
    }))

  it.effect("a 429 pauses every cancel for its retry-after and halves the concurrency", () =>
    Effect.gen(function*() {
      let inFlight = 0
      const starts: Array<{ readonly at: number; readonly inFlight: number; readonly url: string }> = []
      const http = fakeHttp((request, index) =>
        Effect.gen(function*() {
          inFlight += 1
          starts.push({ at: yield* Clock.currentTimeMillis, inFlight, url: request.url })
          if (index === 0) {
            inFlight -= 1
            return openAiError(429, "Rate limit reached", { type: "requests" }, { "retry-after": "2" })
          }
          yield* Effect.sleep(Duration.millis(100))
          inFlight -= 1
          return json(batchJson())
        })
      )
      const refs = Array.from({ length: 12 }, (_, i) => ({ vectorStoreId: "vs_1", batchId: `vsfb_${i}` }))
      const fiber = yield* cancelMany(refs, { concurrency: 4 }).pipe(
        Stream.runCollect,
        Effect.provide(clientLayer(http.layer)),
        Effect.fork
      )
      yield* TestClock.adjust(Duration.seconds(30))
      const outcomes = yield* Fiber.join(fiber)
      expect(Chunk.toArray(outcomes).every((outcome) => outcome._tag === "Cancelled")).toBe(true)
      // Four started at once; after the 429 nothing started until its retry-after had passed...
      expect(starts.filter((start) => start.at === 0)).toHaveLength(4)
      expect(starts.filter((start) => start.at > 0 && start.at < 2_000)).toEqual([])
      // ...and then at most two at a time (half of four), the rate-limited cancel retried among them.
      const resumed = starts.filter((start) => start.at === 2_000)
      expect(resumed.length).toBeGreaterThan(0)
      expect(Math.max(...resumed.map((start) => start.inFlight))).toBeLessThanOrEqual(2)
      expect(starts.filter((start) => start.url.includes("vsfb_0/"))).toHaveLength(2)
      // Successes after the pause give the concurrency back, one at a time.
      expect(Math.max(...starts.filter((start) => start.at > 2_000).map((start) => start.inFlight))).toBe(3)
      expect(starts).toHaveLength(13)
    }))
})
