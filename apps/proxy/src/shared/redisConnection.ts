import { RateLimiter } from "@effect/experimental"
import * as RedisRateLimiter from "@effect/experimental/RateLimiter/Redis"
import { Duration, Effect, type Option, Runtime } from "effect"
import { Redis, type RedisOptions } from "ioredis"
import type { RedisFailure, RedisState } from "./model.js"
import { RedisStartError } from "./model.js"
import { makeRedisHealth } from "./redisHealth.js"
import { redisAddress } from "./redisOptions.js"

const startTimeout = Duration.seconds(5)
const storeConnectionName = "filebatch-proxy-ratelimit"

/**
 * `@effect/experimental`'s Redis store, with the connection it opens for itself. The store
 * neither hands that connection out nor listens to its events, so ioredis would print every
 * failed reconnect of it, stack and all, on stderr; the one moment to reach it is when it
 * connects first, inside the store's constructor.
 */
const makeRateLimiterStore = (options: RedisOptions) =>
  Effect.suspend(() => {
    let connection: Redis | undefined
    const connect = Redis.prototype.connect
    Redis.prototype.connect = function(this: Redis, ...args: Parameters<Redis["connect"]>) {
      // eslint-disable-next-line @typescript-eslint/no-this-alias -- the one way to reach the store's connection
      if (this.options.connectionName === storeConnectionName) connection ??= this
      return connect.apply(this, args)
    }
    const storeOptions = { ...options, lazyConnect: false, connectionName: storeConnectionName }
    return RedisRateLimiter.make(storeOptions as Parameters<typeof RedisRateLimiter.make>[0]).pipe(
      Effect.ensuring(Effect.sync(() => (Redis.prototype.connect = connect))),
      Effect.flatMap((store) =>
        connection === undefined
          // A later version that connects lazily, or not through `connect`: said at start, not at the first outage.
          ? Effect.dieMessage("@effect/experimental's Redis store opened no connection of its own at start")
          : Effect.succeed({ store, connection })
      )
    )
  })

/**
 * The proxy's connections to Redis: commands, a subscriber, and the rate limiter's store.
 * Redis is up while all three are connected and commands succeed. Every failed command
 * counts; the first of an outage is logged (and its end), the listeners given to `onDown`
 * hear it, and the rate limit then fails open or closed.
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
    const subscriber = yield* connect("subscriber")
    // Its first commands wait (at most a command's timeout) for it to connect.
    const { connection: storeConnection, store } = yield* makeRateLimiterStore(options)
    const connections = [commands, subscriber, storeConnection]

    const downListeners = new Set<() => void>()
    const upListeners = new Set<() => void>()
    // While Redis is down, a ping each second notices that it is back even when no
    // connection dropped (a command that timed out on a slow Redis closes nothing).
    let probe: ReturnType<typeof setInterval> | undefined
    const stopProbing = () => {
      if (probe !== undefined) clearInterval(probe)
      probe = undefined
    }
    const health = makeRedisHealth({
      down: (reason) => {
        probe = setInterval(() => void commands.ping().then(cameBack, () => {}), 1_000)
        probe.unref()
        for (const listener of downListeners) listener()
        runFork(
          Effect.logWarning("redis unreachable").pipe(Effect.annotateLogs({
            redis: address,
            reason,
            rate_limit: failure === "open" ? "admits every request (fails open)" : "refuses with 503 (fails closed)",
            coalescing: "per replica"
          }))
        )
      },
      up: (outageMillis) => {
        stopProbing()
        for (const listener of upListeners) listener()
        runFork(
          Effect.logInfo("redis reachable again").pipe(Effect.annotateLogs({ redis: address, outage_ms: outageMillis }))
        )
      }
    })
    const cameBack = () => {
      if (connections.every((connection) => connection.status === "ready")) health.back()
    }
    const failedSince = (started: number, error: unknown) =>
      health.failed(started, error instanceof Error ? error.message : String(error))

    yield* Effect.addFinalizer(() => Effect.sync(stopProbing))
    for (const connection of connections) {
      connection.on("ready", cameBack)
      connection.on("close", () => health.lost("connection closed"))
    }
    // Counted through "close" and failed commands: ioredis would print each error with its stack.
    storeConnection.on("error", () => {})

    /** A command that may fail without failing the request: `None` when it did (and Redis is then down). */
    const command = <A>(run: () => Promise<A>): Effect.Effect<Option.Option<A>> =>
      Effect.suspend(() => {
        const started = health.period()
        return Effect.tryPromise(run).pipe(
          Effect.tapError((error) => Effect.sync(() => failedSince(started, error.error))),
          Effect.option
        )
      })

    const guarded = <A>(effect: Effect.Effect<A, RateLimiter.RateLimiterError>, admitted: () => A) =>
      Effect.suspend(() => {
        const started = health.period()
        return effect.pipe(
          Effect.catchIf(
            (error): error is RateLimiter.RateLimitStoreError => error.reason === "StoreError",
            (error) => {
              failedSince(started, error.cause ?? error)
              return failure === "open" ? Effect.sync(admitted) : Effect.fail(error)
            }
          )
        )
      })
    const rateLimiterStore = RateLimiter.RateLimiterStore.of({
      tokenBucket: (request) => guarded(store.tokenBucket(request), () => request.limit - request.tokens),
      fixedWindow: (request) =>
        guarded(store.fixedWindow(request), () => [request.tokens, Duration.toMillis(request.refillRate)] as const)
    })

    const state: Omit<RedisState, "waitingOnOthers" | "auditSpool"> = {
      up: health.up,
      failure,
      errors: health.errors,
      outages: health.outages
    }
    /** `listener` runs each time Redis goes down, until the returned function is called. */
    const onDown = (listener: () => void) => {
      downListeners.add(listener)
      return () => void downListeners.delete(listener)
    }
    /** `listener` runs each time Redis is back after an outage, until the returned function is called. */
    const onUp = (listener: () => void) => {
      upListeners.add(listener)
      return () => void upListeners.delete(listener)
    }
    return { commands, subscriber, state, rateLimiterStore, command, onDown, onUp }
  })

export type RedisConnection = Effect.Effect.Success<ReturnType<typeof connectRedis>>
