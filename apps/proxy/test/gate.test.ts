import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber } from "effect"
import { makeGate } from "../src/upstream/gate.js"

// Lets every forked fiber run as far as it can.
const settle = Effect.repeatN(Effect.yieldNow(), 20)

describe("the upstream gate", () => {
  it.effect("runs at most `permits` at once, queues up to `maxQueue`, sheds the rest", () =>
    Effect.gen(function*() {
      const gate = makeGate(2, 1)
      const release = yield* Deferred.make<void>()
      let started = 0
      const job = Effect.zipRight(Effect.sync(() => started++), Deferred.await(release))
      const running = yield* Effect.all([gate.run(job), gate.run(job), gate.run(job)], { concurrency: "unbounded" })
        .pipe(Effect.fork)
      yield* settle
      expect(started).toBe(2)
      expect([gate.active(), gate.waiting()]).toEqual([2, 1])
      const shed = yield* Effect.exit(gate.run(job))
      expect(Exit.isFailure(shed) && shed.cause._tag === "Fail" && shed.cause.error._tag).toBe("Shed")
      yield* Deferred.succeed(release, undefined)
      yield* Fiber.join(running)
      expect(started).toBe(3)
      expect([gate.active(), gate.waiting()]).toEqual([0, 0])
    }))

  it.effect("a waiter that goes away leaves the queue; a runner that goes away frees its permit", () =>
    Effect.gen(function*() {
      const gate = makeGate(1, 5)
      const release = yield* Deferred.make<void>()
      const holder = yield* Effect.fork(gate.run(Deferred.await(release)))
      yield* settle
      const waiter = yield* Effect.fork(gate.run(Effect.void))
      yield* settle
      expect([gate.active(), gate.waiting()]).toEqual([1, 1])
      yield* Fiber.interrupt(waiter)
      expect([gate.active(), gate.waiting()]).toEqual([1, 0])
      yield* Fiber.interrupt(holder)
      expect([gate.active(), gate.waiting()]).toEqual([0, 0])
      yield* gate.run(Effect.void)
      expect(gate.active()).toBe(0)
    }))

  it.effect("a permit handed to a waiter that is going away is passed on", () =>
    Effect.gen(function*() {
      const gate = makeGate(1, 5)
      const release = yield* Deferred.make<void>()
      const firstWaiter: { fiber?: Fiber.RuntimeFiber<unknown, unknown> } = {}
      // The holder asks for the first waiter's interruption just before its permit is
      // handed over, so the waiter is granted the permit while it is going away.
      const holder = yield* Effect.fork(gate.run(
        Effect.zipRight(Deferred.await(release), Effect.suspend(() => Fiber.interruptFork(firstWaiter.fiber!)))
      ))
      yield* settle
      const first = yield* Effect.fork(gate.run(Effect.never))
      firstWaiter.fiber = first
      let ran = false
      const second = yield* Effect.fork(gate.run(Effect.sync(() => (ran = true))))
      yield* settle
      expect(gate.waiting()).toBe(2)
      yield* Deferred.succeed(release, undefined)
      yield* Fiber.join(holder)
      expect(Exit.isInterrupted(yield* Fiber.await(first))).toBe(true)
      yield* Fiber.join(second)
      expect(ran).toBe(true)
      expect([gate.active(), gate.waiting()]).toEqual([0, 0])
    }))
})
