import { RateLimiter } from "@effect/experimental"
import * as RedisRateLimiter from "@effect/experimental/RateLimiter/Redis"
import { Duration, Effect, Runtime } from "effect"
import { Redis, type RedisOptions } from "ioredis"
import type { RedisFailure, RedisState } from "../SharedState.js"
import { RedisStartError } from "../SharedState.js"
import { redisAddress } from "./redisOptions.js"

const startTimeout = Duration.seconds(5)

/**
 * The proxy's connections to Redis: commands, a subscriber, and the rate limiter's store
 * (its own connection, made by `@effect/experimental`). Every failed command counts, the
 * first of an outage is logged (and its end), and the rate limit then fails open or closed.
 */
export const connectRedis = (options: RedisOptions, failure: RedisFailure) =>
  Effect.gen(function*() {
    const address = redisAddress(options)
    const runFork = Runtime.runFork(yield* Effect.runtime<never>())
    const connect = (name: string) =>
      Effect.acquireRelease(
        Effect.tryPromise({
          try: async () => {
            const redis = new Redis({ ...options, connectionName: `filebatch-proxy-${name}` })
            // Reported through "close" and failed commands; the last one says why a start failed.
            let lastError: Error | undefined
            redis.on("error", (error: Error) => (lastError = error))
            try {
              await redis.connect()
            } catch (error) {
              redis.disconnect()
              throw lastError ?? error
            }
            return redis
          },
          catch: (error) =>
            new RedisStartError({
              message: `cannot reach Redis at ${address} (FILEBATCH_PROXY_REDIS_URL): ${
                (error as Error).message || String(error)
              }`
            })
        }).pipe(
          Effect.timeoutFail({
            duration: startTimeout,
            onTimeout: () =>
              new RedisStartError({
                message: `cannot reach Redis at ${address} (FILEBATCH_PROXY_REDIS_URL): no answer within ${
                  Duration.format(startTimeout)
                }`
              })
          })
        ),
        (redis) => Effect.promise(() => redis.quit().catch(() => redis.disconnect()))
      )

    const commands = yield* connect("commands")
    let up = false
    let errors = 0
    let outages = 0
    let downSince = 0
    // While Redis is down, a ping each second notices that it is back even when no
    // connection dropped (a command that timed out on a slow Redis closes nothing).
    let probe: ReturnType<typeof setInterval> | undefined
    const stopProbing = () => {
      if (probe !== undefined) clearInterval(probe)
      probe = undefined
    }
    const wentDown = (reason: string) => {
      if (!up) return
      up = false
      outages += 1
      downSince = Date.now()
      probe = setInterval(() => void commands.ping().then(cameBack, () => {}), 1_000)
      probe.unref()
      runFork(
        Effect.logWarning("redis unreachable").pipe(Effect.annotateLogs({
          redis: address,
          reason,
          rate_limit: failure === "open" ? "admits every request (fails open)" : "refuses with 503 (fails closed)",
          coalescing: "per replica"
        }))
      )
    }
    const cameBack = () => {
      if (up) return
      stopProbing()
      const wasDown = downSince > 0
      up = true
      if (wasDown) {
        runFork(
          Effect.logInfo("redis reachable again").pipe(
            Effect.annotateLogs({ redis: address, outage_ms: Date.now() - downSince })
          )
        )
      }
    }
    const failed = (error: unknown) => {
      errors += 1
      wentDown(error instanceof Error ? error.message : String(error))
    }

    yield* Effect.addFinalizer(() => Effect.sync(stopProbing))
    const subscriber = yield* connect("subscriber")
    up = true
    commands.on("ready", cameBack)
    commands.on("close", () => wentDown("connection closed"))

    // The rate limiter's store connects on its own; its first commands wait (at most a command's timeout) for it.
    const storeOptions = { ...options, lazyConnect: false, connectionName: "filebatch-proxy-ratelimit" }
    const store = yield* RedisRateLimiter.make(storeOptions as Parameters<typeof RedisRateLimiter.make>[0])
    const guarded = <A>(effect: Effect.Effect<A, RateLimiter.RateLimiterError>, admitted: () => A) =>
      effect.pipe(
        Effect.catchIf(
          (error): error is RateLimiter.RateLimitStoreError => error.reason === "StoreError",
          (error) => {
            failed(error.cause ?? error)
            return failure === "open" ? Effect.sync(admitted) : Effect.fail(error)
          }
        )
      )
    const rateLimiterStore = RateLimiter.RateLimiterStore.of({
      tokenBucket: (request) => guarded(store.tokenBucket(request), () => request.limit - request.tokens),
      fixedWindow: (request) =>
        guarded(store.fixedWindow(request), () => [request.tokens, Duration.toMillis(request.refillRate)] as const)
    })

    const state: Omit<RedisState, "waitingOnOthers"> = {
      up: () => up,
      failure,
      errors: () => errors,
      outages: () => outages
    }
    return { commands, subscriber, state, rateLimiterStore, failed }
  })

export type RedisConnection = Effect.Effect.Success<ReturnType<typeof connectRedis>>
