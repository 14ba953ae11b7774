/**
 * What the server knows of itself while it runs: the requests in flight, and whether it
 * drains for a stop (`/readyz` fails and every answer closes its connection).
 */
import { Context, Deferred, type Effect, Exit, FiberId, Layer } from "effect"

export interface ServerStateService {
  readonly draining: () => boolean
  readonly inFlight: () => number
  /** A request begins. */
  readonly enter: () => void
  /** A request is answered (or its client went away). */
  readonly leave: () => void
  /** Set at SIGTERM/SIGINT. */
  readonly startDraining: () => void
  /** Done once the last request in flight is answered while draining. */
  readonly drained: Effect.Effect<void>
}

export class ServerState extends Context.Tag("@filebatch/proxy/ServerState")<ServerState, ServerStateService>() {}

export const make = (): ServerStateService => {
  let draining = false
  let inFlight = 0
  const drained = Deferred.unsafeMake<void>(FiberId.none)
  const settle = () => {
    if (draining && inFlight === 0) Deferred.unsafeDone(drained, Exit.void)
  }
  return {
    draining: () => draining,
    inFlight: () => inFlight,
    enter: () => void (inFlight += 1),
    leave: () => {
      inFlight -= 1
      settle()
    },
    startDraining: () => {
      draining = true
      settle()
    },
    drained: Deferred.await(drained)
  }
}

export const layer: Layer.Layer<ServerState> = Layer.sync(ServerState, make)
