/**
 * The per-key rate limit: a token bucket in `@effect/experimental`'s `RateLimiter`, whose
 * store is this process's or Redis. A request either goes on with OpenAI's `x-ratelimit-*`
 * headers for its answer, or is refused with the answer saying why.
 */
import type { RateLimiter } from "@effect/experimental"
import { Duration, Effect, Either } from "effect"
import * as Answers from "../answers.js"
import type { ProxySettings } from "../config/ProxyConfig.js"
import type { Metrics } from "../ops/Metrics.js"

/** Admitted, with the headers its answer carries; or refused, with the answer. */
export type Admission = Either.Either<Record<string, string> | undefined, Answers.Answer>

export const makeKeyRateLimit = (
  settings: Pick<ProxySettings, "rateLimit" | "rateLimitWindow">,
  rateLimiter: RateLimiter.RateLimiter,
  metrics: Metrics
) =>
(key: string): Effect.Effect<Admission> => {
  const limit = settings.rateLimit
  if (limit === undefined) return Effect.succeed(Either.right(undefined))
  return Effect.map(
    Effect.either(rateLimiter.consume({
      algorithm: "token-bucket",
      onExceeded: "fail",
      window: settings.rateLimitWindow,
      limit,
      key
    })),
    (consumed): Admission => {
      if (Either.isRight(consumed)) {
        return Either.right({
          "x-ratelimit-limit-requests": String(limit),
          "x-ratelimit-remaining-requests": String(consumed.right.remaining),
          "x-ratelimit-reset-requests": `${Duration.toMillis(consumed.right.resetAfter)}ms`
        })
      }
      const error = consumed.left
      // The shared store unreachable and the limit failing closed: refused, but not the caller's fault.
      if (error.reason !== "Exceeded") return Either.left(Answers.rateLimitUnavailable())
      metrics.rateLimited.inc({ key })
      return Either.left(
        Answers.rateLimited(key, limit, settings.rateLimitWindow, Duration.toMillis(error.retryAfter))
      )
    }
  )
}
