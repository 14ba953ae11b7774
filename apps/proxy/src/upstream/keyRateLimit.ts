/**
 * The per-key rate limit: a token bucket in `@effect/experimental`'s `RateLimiter`, whose
 * store is this process's or Redis. A request either goes on with OpenAI's `x-ratelimit-*`
 * headers for its answer, or is refused with the answer saying why.
 */
import { RateLimiter } from "@effect/experimental"
import { Context, Duration, Effect, Either, Layer } from "effect"
import * as Answers from "../answers.js"
import { ProxyConfig, type ProxySettings } from "../config/ProxyConfig.js"
import { Metrics, type MetricsService } from "../ops/Metrics.js"

/** Admitted, with the headers its answer carries; or refused, with the answer. */
export type Admission = Either.Either<Record<string, string> | undefined, Answers.Answer>

export interface KeyRateLimitService {
  /** Whether a limit is set: without one, a request spends no step on it. */
  readonly limited: boolean
  readonly admit: (key: string) => Effect.Effect<Admission>
}

export class KeyRateLimit extends Context.Tag("@filebatch/proxy/KeyRateLimit")<KeyRateLimit, KeyRateLimitService>() {}

const admitted: Effect.Effect<Admission> = Effect.succeed(Either.right(undefined))

export const make = (
  settings: Pick<ProxySettings, "rateLimit" | "rateLimitWindow">,
  rateLimiter: RateLimiter.RateLimiter,
  metrics: MetricsService
): KeyRateLimitService => {
  const limit = settings.rateLimit
  if (limit === undefined) return { limited: false, admit: () => admitted }
  return { limited: true, admit: (key) => consume(settings.rateLimitWindow, limit, rateLimiter, metrics, key) }
}

const consume = (
  window: Duration.Duration,
  limit: number,
  rateLimiter: RateLimiter.RateLimiter,
  metrics: MetricsService,
  key: string
): Effect.Effect<Admission> =>
  Effect.map(
    Effect.either(rateLimiter.consume({
      algorithm: "token-bucket",
      onExceeded: "fail",
      window,
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
        Answers.rateLimited(key, limit, window, Duration.toMillis(error.retryAfter))
      )
    }
  )

export const layer: Layer.Layer<KeyRateLimit, never, ProxyConfig | RateLimiter.RateLimiter | Metrics> = Layer.effect(
  KeyRateLimit,
  Effect.gen(function*() {
    return make(yield* ProxyConfig, yield* RateLimiter.RateLimiter, yield* Metrics)
  })
)
