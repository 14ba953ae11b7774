import { Duration, Effect, type Option, Runtime } from "effect"
import { Redis, type RedisOptions } from "ioredis"
import type { RedisFailure, RedisState } from "./model.js"
import { RedisStartError } from "./model.js"
import { makeRedisHealth } from "./redisHealth.js"
import { redisAddress } from "./redisOptions.js"
import { makeRedisRateLimitStore } from "./redisRateLimitStore.js"

const startTimeout = Duration.seconds(5)

/**
 * The proxy's connections to Redis: commands (the rate limit's store, the locks, the audit
 * trail) and a subscriber. Redis is up while both are connected and commands succeed. Every failed command
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
    const connections = [commands, subscriber]

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

    /** A command that may fail without failing the request: `None` when it did (and Redis is then down). */
    const command = <A>(run: () => Promise<A>): Effect.Effect<Option.Option<A>> =>
      Effect.suspend(() => {
        const started = health.period()
        return Effect.tryPromise(run).pipe(
          Effect.tapError((error) => Effect.sync(() => failedSince(started, error.error))),
          Effect.option
        )
      })

    const rateLimiterStore = makeRedisRateLimitStore(commands, command, failure)

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
