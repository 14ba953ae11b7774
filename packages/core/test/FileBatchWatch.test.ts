import { describe, expect, it } from "@effect/vitest"
import { awaitTerminal, cancelAndAwait, watch } from "@filebatch/core"
import { Chunk, Duration, Effect, Exit, Fiber, Stream, TestClock } from "effect"
import { batchJson, clientLayer, fakeHttp, json, ref } from "./fixtures.js"

/** Answers with the given statuses in turn; the last one repeats. */
const statuses = (list: Array<string>, headers: Record<string, string> = {}) =>
  fakeHttp((_, index) =>
    Effect.succeed(json(batchJson({ status: list[Math.min(index, list.length - 1)] }), 200, headers))
  )

describe("FileBatchWatch", () => {
  it.effect("watch emits snapshots at the poll interval until terminal", () =>
    Effect.gen(function*() {
      const http = statuses(["in_progress", "cancelling", "cancelled"])
      const fiber = yield* watch(ref, { pollInterval: "2 seconds" }).pipe(
        Stream.runCollect,
        Effect.provide(clientLayer(http.layer)),
        Effect.fork
      )
      yield* TestClock.adjust(0)
      expect(http.recorded.requests).toHaveLength(1)
      yield* TestClock.adjust(Duration.millis(1999))
      expect(http.recorded.requests).toHaveLength(1)
      yield* TestClock.adjust(Duration.millis(1))
      expect(http.recorded.requests).toHaveLength(2)
      yield* TestClock.adjust(Duration.seconds(2))
      const snapshots = Chunk.toArray(yield* Fiber.join(fiber)).map((batch) => batch.status)
      expect(snapshots).toEqual(["in_progress", "cancelling", "cancelled"])
      expect(http.recorded.requests.every((request) => request.method === "GET")).toBe(true)
      yield* TestClock.adjust(Duration.minutes(1))
      expect(http.recorded.requests).toHaveLength(3)
    }))

  it.effect("the server's openai-poll-after-ms wins over the configured interval", () =>
    Effect.gen(function*() {
      const http = statuses(["in_progress", "cancelled"], { "openai-poll-after-ms": "300" })
      const fiber = yield* awaitTerminal(ref, { pollInterval: "5 seconds" }).pipe(
        Effect.provide(clientLayer(http.layer)),
        Effect.fork
      )
      yield* TestClock.adjust(Duration.millis(299))
      expect(http.recorded.requests).toHaveLength(1)
      yield* TestClock.adjust(Duration.millis(1))
      const batch = yield* Fiber.join(fiber)
      expect(batch.status).toBe("cancelled")
    }))

  it.effect("cancelAndAwait cancels once, then polls until the batch has stopped", () =>
    Effect.gen(function*() {
      const http = statuses(["in_progress", "in_progress", "cancelled"])
      const fiber = yield* cancelAndAwait(ref, { pollInterval: "1 second" }).pipe(
        Effect.provide(clientLayer(http.layer)),
        Effect.fork
      )
      yield* TestClock.adjust(Duration.seconds(2))
      const batch = yield* Fiber.join(fiber)
      expect(batch.status).toBe("cancelled")
      expect(http.recorded.requests.map((request) => request.method)).toEqual(["POST", "GET", "GET"])
    }))

  it.effect("a terminal cancel answer needs no polling", () =>
    Effect.gen(function*() {
      const http = statuses(["cancelled"])
      const batch = yield* cancelAndAwait(ref).pipe(Effect.provide(clientLayer(http.layer)))
      expect(batch.status).toBe("cancelled")
      expect(http.recorded.requests).toHaveLength(1)
    }))

  it.effect("the maximum wait ends in a WaitTimeoutError naming the last status", () =>
    Effect.gen(function*() {
      const http = statuses(["cancelling"])
      const fiber = yield* cancelAndAwait(ref, { pollInterval: "1 second", maxWait: "10 seconds" }).pipe(
        Effect.provide(clientLayer(http.layer)),
        Effect.fork
      )
      yield* TestClock.adjust(Duration.millis(9_999))
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust(Duration.millis(1))
      const exit = yield* Fiber.await(fiber)
      expect(Exit.isFailure(exit)).toBe(true)
      if (Exit.isFailure(exit) && exit.cause._tag === "Fail") {
        const error = exit.cause.error
        expect(error._tag).toBe("WaitTimeoutError")
        expect(error.message).toBe("batch vsfb_abc123 did not stop within 10s (last status: cancelling)")
      }
      // Polled about every second, never beyond the wait.
      expect(http.recorded.requests.length).toBeGreaterThanOrEqual(10)
      expect(http.recorded.requests.length).toBeLessThanOrEqual(11)
    }))

  it.effect("a request error ends the watch with that error", () =>
    Effect.gen(function*() {
      const http = fakeHttp(() => Effect.succeed(json({ error: { message: "No batch found" } }, 404)))
      const error = yield* awaitTerminal(ref).pipe(Effect.flip, Effect.provide(clientLayer(http.layer)))
      expect(error._tag).toBe("NotFoundError")
    }))
})
