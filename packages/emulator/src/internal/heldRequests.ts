import { Deferred, Effect, FiberId } from "effect"

/** Requests stopped by a `hold` fault, waiting together until released. */
export class HeldRequests {
  private released = Deferred.unsafeMake<void>(FiberId.none)
  private waiting = 0

  /** Waits until the next release. */
  readonly wait: Effect.Effect<void> = Effect.suspend(() => {
    this.waiting += 1
    return Deferred.await(this.released).pipe(Effect.ensuring(Effect.sync(() => (this.waiting -= 1))))
  })

  /** Lets every waiting request go on; later holds wait for the next release. Answers how many went. */
  readonly release: Effect.Effect<number> = Effect.suspend(() => {
    const released = this.released
    const count = this.waiting
    this.released = Deferred.unsafeMake<void>(FiberId.none)
    return Effect.as(Deferred.succeed(released, undefined), count)
  })

  get size(): number {
    return this.waiting
  }
}
