import { Data, Effect } from "effect"

/** The upstream queue is full: the request is refused at once instead of waiting without bound. */
export class Shed extends Data.TaggedError("Shed")<{}> {}

/** At most `permits` runs at once, at most `maxQueue` more waiting; past that, {@link Shed}. */
export const makeGate = (permits: number, maxQueue: number) => {
  const semaphore = Effect.unsafeMakeSemaphore(permits)
  let active = 0
  let waiting = 0
  return {
    active: () => active,
    waiting: () => waiting,
    run: <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | Shed, R> =>
      Effect.suspend((): Effect.Effect<A, E | Shed, R> => {
        if (active + waiting >= permits + maxQueue) return Effect.fail(new Shed())
        waiting += 1
        let started = false
        return semaphore.withPermits(1)(
          Effect.suspend(() => {
            started = true
            waiting -= 1
            active += 1
            return Effect.ensuring(effect, Effect.sync(() => (active -= 1)))
          })
        ).pipe(Effect.ensuring(Effect.sync(() => started || (waiting -= 1))))
      })
  }
}
