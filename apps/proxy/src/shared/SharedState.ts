/**
 * What proxy replicas share: the per-key rate limit's buckets and the cancels in flight.
 * Without `FILEBATCH_PROXY_REDIS_URL` both live in this process (one replica, `layerMemory`);
 * with it, in Redis (`SharedStateLive.ts` chooses from the settings), through
 * `@effect/experimental`'s Redis rate-limiter store and a lock per batch whose holder
 * publishes the answer to the replicas waiting for it.
 */
import { RateLimiter } from "@effect/experimental"
import { Context, Effect, Layer } from "effect"
import type { SharedStateService } from "./model.js"

export * from "./model.js"

export class SharedState extends Context.Tag("@filebatch/proxy/SharedState")<SharedState, SharedStateService>() {}

/** The state of this process alone. */
export const inProcess: SharedStateService = {
  redis: undefined,
  acrossReplicas: (_key, call) => Effect.map(call(false), (value) => ({ _tag: "Here", value }))
}

/** One replica: the rate limit's buckets and the cancels in flight in this process. */
export const layerMemory: Layer.Layer<SharedState | RateLimiter.RateLimiterStore> = Layer.merge(
  Layer.succeed(SharedState, inProcess),
  RateLimiter.layerStoreMemory
)
