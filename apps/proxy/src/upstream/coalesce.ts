import { Deferred, Effect, type Exit, Fiber, FiberId } from "effect"

interface Shared<A, E> {
  readonly deferred: Deferred.Deferred<A, E>
  waiters: number
}

/**
 * Shares one run among concurrent callers with the same key. The first caller (the
 * leader) starts it in a daemon fiber, so that its own client going away cannot cancel
 * what the others wait for; the entry is removed as soon as the run ends, so nothing is
 * cached afterwards. The run is told whether anyone still waits (`stillWanted`): once
 * every caller has gone, what it has started finishes, but it need start nothing new.
 */
export const makeCoalescer = <A, E>() => {
  const inFlight = new Map<string, Shared<A, E>>()
  /** A caller's wait, counted out if its client goes away. */
  const counted = (shared: Shared<A, E>, wait: Effect.Effect<Exit.Exit<A, E>>) =>
    wait.pipe(Effect.onInterrupt(() => Effect.sync(() => void (shared.waiters -= 1))))
  return {
    run: (
      key: string,
      effect: (stillWanted: () => boolean) => Effect.Effect<A, E>
    ): Effect.Effect<{ exit: Exit.Exit<A, E>; coalesced: boolean }> =>
      Effect.suspend((): Effect.Effect<{ exit: Exit.Exit<A, E>; coalesced: boolean }> => {
        const existing = inFlight.get(key)
        if (existing !== undefined) {
          existing.waiters += 1
          return Effect.map(counted(existing, Effect.exit(Deferred.await(existing.deferred))), (exit) => ({
            exit,
            coalesced: true
          }))
        }
        // The leader is the first waiter.
        const shared: Shared<A, E> = { deferred: Deferred.unsafeMake<A, E>(FiberId.none), waiters: 1 }
        inFlight.set(key, shared)
        const run = effect(() => shared.waiters > 0).pipe(
          Effect.exit,
          Effect.tap((exit) =>
            Effect.suspend(() => {
              inFlight.delete(key)
              return Deferred.done(shared.deferred, exit)
            })
          ),
          Effect.forkDaemon
        )
        return Effect.flatMap(run, (fiber) => counted(shared, Fiber.join(fiber))).pipe(
          Effect.map((exit) => ({ exit, coalesced: false }))
        )
      })
  }
}
