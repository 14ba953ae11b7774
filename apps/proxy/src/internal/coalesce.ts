import { Deferred, Effect, type Exit, Fiber, FiberId } from "effect"

/**
 * Shares one run among concurrent callers with the same key. The first caller (the
 * leader) starts it in a daemon fiber, so that its own client going away cannot cancel
 * what the others wait for; the entry is removed as soon as the run ends, so nothing is
 * cached afterwards.
 */
export const makeCoalescer = <A, E>() => {
  const inFlight = new Map<string, Deferred.Deferred<A, E>>()
  return {
    run: (key: string, effect: Effect.Effect<A, E>): Effect.Effect<{ exit: Exit.Exit<A, E>; coalesced: boolean }> =>
      Effect.suspend((): Effect.Effect<{ exit: Exit.Exit<A, E>; coalesced: boolean }> => {
        const existing = inFlight.get(key)
        if (existing !== undefined) {
          return Effect.map(Effect.exit(Deferred.await(existing)), (exit) => ({ exit, coalesced: true }))
        }
        const deferred = Deferred.unsafeMake<A, E>(FiberId.none)
        inFlight.set(key, deferred)
        return effect.pipe(
          Effect.exit,
          Effect.tap((exit) =>
            Effect.suspend(() => {
              inFlight.delete(key)
              return Deferred.done(deferred, exit)
            })
          ),
          Effect.forkDaemon,
          Effect.flatMap(Fiber.join),
          Effect.map((exit) => ({ exit, coalesced: false }))
        )
      })
  }
}
