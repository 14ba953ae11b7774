/**
 * What proxy replicas share: the per-key rate limit's buckets and the cancels in flight.
 * Without `FILEBATCH_PROXY_REDIS_URL` both live in this process (one replica); with it, in
 * Redis, through `@effect/experimental`'s Redis rate-limiter store and a lock per batch
 * whose holder publishes the answer to the replicas waiting for it.
 */
import { RateLimiter } from "@effect/experimental"
import { Config, ConfigError, Context, Data, Duration, Effect, Layer, Option, Redacted } from "effect"
import type { Answer } from "../answers.js"
import { redisOptionsFromUrl } from "./redisOptions.js"

/** An upstream answer as replicas pass it to one another: plain JSON. */
export interface SharedAnswer {
  readonly answer: Answer
  readonly upstreamRequestId: string | undefined
}

/** What the rate limit does while Redis cannot be reached: admit everything, or refuse with 503. */
export type RedisFailure = "open" | "closed"

/** Redis as `/readyz` and `/metrics` report it. */
export interface RedisState {
  readonly up: () => boolean
  readonly failure: RedisFailure
  /** Redis commands that failed (timed out, refused, disconnected). */
  readonly errors: () => number
  /** Times Redis went from reachable to unreachable. */
  readonly outages: () => number
  /** Cancels of this replica waiting for another replica's answer now. */
  readonly waitingOnOthers: () => number
}

export interface SharedStateService {
  /** Undefined when the state is this process's own. */
  readonly redis: RedisState | undefined
  /**
   * Runs `call` for `key` once across replicas: the replica that takes the key's lock calls
   * (`Here`, its answer published as `shareable` makes it), the others get that answer
   * (`Remote`). Without Redis, or while it is unreachable, `call` runs here. `call` is told
   * whether other replicas may be waiting for its answer (it holds the lock).
   */
  readonly acrossReplicas: <A>(
    key: string,
    call: (othersMayWait: boolean) => Effect.Effect<A>,
    shareable: (value: A) => SharedAnswer
  ) => Effect.Effect<AcrossReplicas<A>>
}

/** Where a shared call ran. */
export type AcrossReplicas<A> =
  | { readonly _tag: "Here"; readonly value: A }
  | { readonly _tag: "Remote"; readonly shared: SharedAnswer }

export class SharedState extends Context.Tag("@filebatch/proxy/SharedState")<SharedState, SharedStateService>() {}

/** Redis could not be reached at start: the proxy does not start half-configured. */
export class RedisStartError extends Data.TaggedError("RedisStartError")<{ readonly message: string }> {}

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

const redisConfig = Config.all({
  url: Config.option(Config.redacted("FILEBATCH_PROXY_REDIS_URL")),
  failure: Config.literal("open", "closed")("FILEBATCH_PROXY_REDIS_FAILURE").pipe(Config.withDefault("open" as const))
})

/**
 * Redis when `FILEBATCH_PROXY_REDIS_URL` is set, else this process. A lock is held at most
 * `lockTime` (the longest a call may take): replicas waiting on a holder that died call
 * themselves after that.
 */
export const layerConfig = (
  lockTime: Duration.Duration
): Layer.Layer<SharedState | RateLimiter.RateLimiterStore, ConfigError.ConfigError | RedisStartError> =>
  Layer.unwrapScoped(Effect.gen(function*() {
    const { failure, url } = yield* redisConfig
    if (Option.isNone(url)) return layerMemory
    const options = redisOptionsFromUrl(Redacted.value(url.value))
    if (typeof options === "string") return yield* Effect.fail(ConfigError.InvalidData([], options))
    // Loaded only when Redis is configured: ioredis costs every other proxy start time and memory.
    const { connectRedis } = yield* Effect.promise(() => import("./redisConnection.js"))
    const { makeSharedCalls } = yield* Effect.promise(() => import("./sharedCalls.js"))
    const connection = yield* connectRedis(options, failure)
    const calls = yield* makeSharedCalls(connection, Duration.toMillis(lockTime))
    return Layer.merge(
      Layer.succeed(SharedState, {
        redis: { ...connection.state, waitingOnOthers: calls.waitingOnOthers },
        acrossReplicas: calls.acrossReplicas
      }),
      Layer.succeed(RateLimiter.RateLimiterStore, connection.rateLimiterStore)
    )
  }))
