import { Context, Data, Deferred, Effect, Exit, FiberId, Layer } from "effect"
import { ProxyConfig } from "../config/ProxyConfig.js"

/** The upstream queue is full: the request is refused at once instead of waiting without bound. */
export class Shed extends Data.TaggedError("Shed")<{}> {}

interface Ticket {
  granted: boolean
  readonly turn: Deferred.Deferred<void>
}

/**
 * At most `permits` runs at once, at most `maxQueue` more waiting in arrival order; past
 * that, {@link Shed}. A run that finds a free permit starts at once with a single
 * finalizer: a semaphore's permit bookkeeping was a visible share of a proxied request's
 * CPU (docs/benchmarks.md). A permit freed while others wait is handed to the first of them.
 */
export const makeGate = (permits: number, maxQueue: number) => {
  let active = 0
  const queue: Array<Ticket> = []
  const release = () => {
    const next = queue.shift()
    if (next === undefined) {
      active -= 1
      return
    }
    next.granted = true
    Deferred.unsafeDone(next.turn, Exit.void)
  }
  return {
    active: () => active,
    waiting: () => queue.length,
    /** Runs `effect` under the bound; `after` is called with its exit, however it ends, once it ran. */
    run: <A, E, R>(
      effect: Effect.Effect<A, E, R>,
      after?: (exit: Exit.Exit<A, E>) => void
    ): Effect.Effect<A, E | Shed, R> =>
      // Uninterruptible between taking a permit and owning its release.
      Effect.uninterruptibleMask((restore): Effect.Effect<A, E | Shed, R> => {
        const finish = (exit: Exit.Exit<A, E>) =>
          Effect.sync(() => {
            release()
            after?.(exit)
          })
        if (active < permits) {
          active += 1
          return Effect.onExit(restore(effect), finish)
        }
        if (queue.length >= maxQueue) return Effect.fail(new Shed())
        const ticket: Ticket = { granted: false, turn: Deferred.unsafeMake<void>(FiberId.none) }
        queue.push(ticket)
        return Effect.zipRight(
          restore(Deferred.await(ticket.turn)).pipe(
            // A waiter that goes away leaves the queue, or passes on the permit it was just given.
            Effect.onInterrupt(() =>
              Effect.sync(() => {
                if (ticket.granted) release()
                else queue.splice(queue.indexOf(ticket), 1)
              })
            )
          ),
          Effect.onExit(restore(effect), finish)
        )
      })
  }
}

export type Gate = ReturnType<typeof makeGate>

/** The bound on concurrent upstream calls; its permits in use are the calls in flight. */
export class UpstreamGate extends Context.Tag("@filebatch/proxy/UpstreamGate")<UpstreamGate, Gate>() {}

/** The gate of the configured bound. */
export const layer: Layer.Layer<UpstreamGate, never, ProxyConfig> = Layer.effect(
  UpstreamGate,
  Effect.map(ProxyConfig, (settings) => makeGate(settings.maxUpstreamConcurrency, settings.maxQueue))
)
