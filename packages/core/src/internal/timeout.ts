import { Clock, Context, DefaultServices, Effect, Fiber } from "effect"

// The clock every Effect runtime starts with: a program that did not replace the clock
// (with TestClock, say) runs on this very instance.
const liveClock = Context.get(DefaultServices.liveServices, Clock.Clock)

// setTimeout's limit; longer limits fall back to the generic path.
const maxTimerMillis = 2_147_483_647

/** Whether a timer of `millis` on `clock` can be a plain `setTimeout`. */
export const isLiveTimer = (clock: Clock.Clock, millis: number): boolean =>
  clock === liveClock && millis <= maxTimerMillis

/**
 * `Effect.timeoutFail` on the caller's `clock`, cheaper when that is the live clock: the
 * effect runs in one child fiber and a timer races it, instead of two fibers racing (a
 * third of the client's own cost; docs/benchmarks.md). Any other
 * clock, TestClock included, takes `Effect.timeoutFail` itself, so schedules stay testable.
 */
export const timeoutFail = <A, E, R, E2>(
  self: Effect.Effect<A, E, R>,
  clock: Clock.Clock,
  millis: number,
  onTimeout: () => E2
): Effect.Effect<A, E | E2, R> =>
  !isLiveTimer(clock, millis)
    ? Effect.timeoutFail(self, { duration: millis, onTimeout })
    : Effect.uninterruptibleMask((restore) =>
      Effect.flatMap(Effect.fork(restore(self)), (child) =>
        restore(Effect.async<A, E | E2>((resume) => {
          const timer = setTimeout(() => {
            child.removeObserver(onDone)
            resume(Effect.zipRight(Fiber.interrupt(child), Effect.fail(onTimeout())))
          }, millis)
          const onDone = (exit: Effect.Effect<A, E>) => {
            clearTimeout(timer)
            resume(exit)
          }
          child.addObserver(onDone)
          return Effect.suspend(() => {
            clearTimeout(timer)
            child.removeObserver(onDone)
            return Fiber.interrupt(child)
          })
        })))
    )
