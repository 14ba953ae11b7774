import { Clock, Duration, Effect, Schedule } from "effect"
import type { FileBatchError } from "../FileBatchError.js"
import { RetryPolicy, type RetryPolicyShape, serverDelay } from "../RetryPolicy.js"

/** The pause after a 429 that names no delay. */
const defaultPauseMillis = 1_000

/**
 * One pace for many calls sharing an organization's rate limit. A 429 on any call
 * pauses every call (for the server's `retry-after`, else a second) and halves how many
 * may be in flight; each run of successes as long as the current limit adds one back,
 * up to the limit asked for. Calls retried after a 429 wait out the pause too.
 */
export const makePace = (maxConcurrency: number) =>
  Effect.gen(function*() {
    const slots = yield* Effect.makeSemaphore(maxConcurrency)
    const policy = yield* RetryPolicy
    let limit = maxConcurrency
    let pausedUntil = 0
    let successes = 0
    let lastRateLimitAt = -1

    const pauseLeft = Effect.map(Clock.currentTimeMillis, (now) => Math.max(0, pausedUntil - now))
    const waitForPause: Effect.Effect<void> = Effect.flatMap(
      pauseLeft,
      (left) => left === 0 ? Effect.void : Effect.zipRight(Effect.sleep(Duration.millis(left)), waitForPause)
    )

    const sawRateLimit = (error: FileBatchError) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const pause = serverDelay(error)
        const until = now + (pause === undefined ? defaultPauseMillis : Duration.toMillis(pause))
        // 429s of calls that were in flight together count as one: the limit halves once per pause.
        const halve = now >= pausedUntil
        pausedUntil = Math.max(pausedUntil, until)
        lastRateLimitAt = now
        successes = 0
        if (!halve || limit === 1) return Effect.void
        limit = Math.max(1, Math.floor(limit / 2))
        return slots.resize(limit)
      })

    // Only calls started after the last 429 say that the pace is right again.
    const sawSuccess = (startedAt: number) =>
      Effect.suspend(() => {
        if (limit === maxConcurrency || startedAt <= lastRateLimitAt) return Effect.void
        successes += 1
        if (successes < limit) return Effect.void
        successes = 0
        limit += 1
        return slots.resize(limit)
      })

    // The policy in use, told of every failed attempt, its delays stretched to the shared pause.
    const pacedPolicy: RetryPolicyShape = {
      schedule: (maxRetries) =>
        policy.schedule(maxRetries).pipe(
          Schedule.tapInput((error: FileBatchError) =>
            error._tag === "RateLimitError" ? sawRateLimit(error) : Effect.void
          ),
          Schedule.modifyDelayEffect((_, delay) =>
            Effect.map(pauseLeft, (left) => Duration.max(delay, Duration.millis(left)))
          )
        )
    }

    /** Runs one call in its turn: a slot free and no pause on. */
    const paced = <A, R>(call: Effect.Effect<A, FileBatchError, R>): Effect.Effect<A, FileBatchError, R> =>
      slots.withPermits(1)(
        Effect.zipRight(
          waitForPause,
          Effect.flatMap(Clock.currentTimeMillis, (startedAt) =>
            call.pipe(
              Effect.provideService(RetryPolicy, pacedPolicy),
              // A call that ends on a 429 (no retries left) still slows the others.
              Effect.tapBoth({
                onFailure: (error) => error._tag === "RateLimitError" ? sawRateLimit(error) : Effect.void,
                onSuccess: () => sawSuccess(startedAt)
              })
            ))
        )
      )

    return { paced }
  })
