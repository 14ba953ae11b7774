import { describe, expect, it } from "@effect/vitest"
import { Progress } from "@filebatch/emulator"
import { Duration, Effect, TestClock } from "effect"

describe("Progress: batch time that tests hold and advance", () => {
  it.effect("follows the clock until held; held, only advance moves it; resumed, it follows from there", () =>
    Effect.gen(function*() {
      const progress = Progress.make()
      const start = yield* progress.now
      yield* TestClock.adjust(Duration.millis(100))
      expect((yield* progress.now) - start).toBe(100)
      yield* progress.hold
      yield* TestClock.adjust(Duration.seconds(10))
      expect((yield* progress.now) - start).toBe(100)
      yield* progress.advance(50)
      expect((yield* progress.now) - start).toBe(150)
      expect(yield* progress.state).toEqual({ held: true, offsetMillis: -9950 })
      yield* progress.resume
      yield* TestClock.adjust(Duration.millis(10))
      expect((yield* progress.now) - start).toBe(160)
      yield* progress.advance(40)
      expect((yield* progress.now) - start).toBe(200)
      expect((yield* progress.state).held).toBe(false)
    }))

  it.effect("held from the start, it stays where it was first read", () =>
    Effect.gen(function*() {
      const progress = Progress.make({ held: true })
      const start = yield* progress.now
      yield* TestClock.adjust(Duration.minutes(5))
      expect(yield* progress.now).toBe(start)
      expect((yield* progress.state).held).toBe(true)
    }))
})
