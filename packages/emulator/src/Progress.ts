/**
 * The time batches are processed on. It follows the Effect `Clock` until it is held;
 * held, no batch moves (files neither finish nor get cancelled) until it is advanced or
 * resumed. Tests use it to *make* the state they assert instead of racing the machine:
 * hold, create a batch, cancel it, advance past the cancel delay.
 *
 * @since 0.2.0
 */
import { Clock, Effect } from "effect"

/**
 * What `GET /__emulator/progress` answers.
 *
 * @since 0.2.0
 * @category models
 */
export interface ProgressState {
  readonly held: boolean
  /** Batch time minus the clock, in milliseconds: ahead after advances, behind after a hold. */
  readonly offsetMillis: number
}

/**
 * @since 0.2.0
 * @category models
 */
export interface Progress {
  /** The batch time now, in epoch milliseconds. */
  readonly now: Effect.Effect<number>
  /** Stops batch time where it is; holding again changes nothing. */
  readonly hold: Effect.Effect<void>
  /** Lets batch time follow the clock again, from where it was held. */
  readonly resume: Effect.Effect<void>
  /** Moves batch time forward by `millis`, held or not. */
  readonly advance: (millis: number) => Effect.Effect<void>
  readonly state: Effect.Effect<ProgressState>
}

/**
 * Batch time that starts equal to the clock, held from the start when `held` is true.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = (options: { readonly held?: boolean } = {}): Progress => {
  // Batch time is the clock plus `offset`, or `heldAt` while held.
  let offset = 0
  let heldAt: number | undefined = undefined
  let startHeld = options.held === true
  const at = (clock: number) => {
    if (startHeld) {
      // Held "from the start" means from the first reading, which is on the caller's clock.
      heldAt = clock
      startHeld = false
    }
    return heldAt ?? clock + offset
  }
  return {
    now: Effect.map(Clock.currentTimeMillis, at),
    hold: Effect.map(Clock.currentTimeMillis, (clock) => {
      heldAt = at(clock)
    }),
    resume: Effect.map(Clock.currentTimeMillis, (clock) => {
      if (heldAt !== undefined) offset = heldAt - clock
      heldAt = undefined
      startHeld = false
    }),
    advance: (millis) =>
      Effect.map(Clock.currentTimeMillis, (clock) => {
        if (!(Number.isFinite(millis) && millis >= 0)) throw new RangeError("advance takes milliseconds ≥ 0")
        at(clock)
        if (heldAt !== undefined) heldAt += millis
        else offset += millis
      }),
    state: Effect.map(Clock.currentTimeMillis, (clock) => {
      const now = at(clock)
      return { held: heldAt !== undefined, offsetMillis: now - clock }
    })
  }
}
