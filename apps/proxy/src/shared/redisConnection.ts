import { Duration, Effect, type Option, Runtime } from "effect"
import { Redis, type RedisOptions } from "ioredis"
import type { RedisFailure, RedisState } from "./model.js"
import { RedisStartError } from "./model.js"
import { makeRedisHealth } from "./redisHealth.js"
import { redisAddress } from "./redisOptions.js"
import { makeRedisRateLimitStore } from "./redisRateLimitStore.js"

const startTimeout = Duration.seconds(5)

const cannotReach = (address: string, why: string) =>
  new RedisStartError({ message: `cannot reach Redis at ${address} (FILEBATCH_PROXY_REDIS_URL): ${why}` })

/** One connection, open until the scope closes; a start that fails says why, within {@link startTimeout}. */
const connectOne = (options: RedisOptions, address: string, name: string) =>
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
      catch: (error) => cannotReach(address, (error as Error).message || String(error))
    }).pipe(
      Effect.timeoutFail({
        duration: startTimeout,
        onTimeout: () => cannotReach(address, `no answer within ${Duration.format(startTimeout)}`)
      })
    ),
    (redis) => Effect.promise(() => redis.quit().catch(() => redis.disconnect()))
  )

/** Listeners that run each time something happens, until the function `add` returns is called. */
const listeners = () => {
  const set = new Set<() => void>()
  return {
    add: (listener: () => void) => {
      set.add(listener)
      return () => void set.delete(listener)
    },
    run: () => {
      for (const listener of set) listener()
    }
  }
}

/**
 * Whether Redis is up, from both connections and every command: an outage is logged when
 * it begins and ends, and told to the listeners. While it is down, a ping each second
 * notices that it is back even when no connection dropped (a command that timed out on a
 * slow Redis closes nothing).
 */
const watchHealth = (commands: Redis, subscriber: Redis, address: string, failure: RedisFailure) =>
  Effect.gen(function*() {
    const runFork = Runtime.runFork(yield* Effect.runtime<never>())
    const downs = listeners()
    const ups = listeners()
    const connections = [commands, subscriber]
    let probe: ReturnType<typeof setInterval> | undefined
    const stopProbing = () => {
      if (probe !== undefined) clearInterval(probe)
      probe = undefined
    }
    const health = makeRedisHealth({
      down: (reason) => {
        probe = setInterval(() => void commands.ping().then(cameBack, () => {}), 1_000)
        probe.unref()
        downs.run()
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
        ups.run()
        runFork(
          Effect.logInfo("redis reachable again").pipe(Effect.annotateLogs({ redis: address, outage_ms: outageMillis }))
        )
      }
    })
    const cameBack = () => {
      if (connections.every((connection) => connection.status === "ready")) health.back()
    }
    yield* Effect.addFinalizer(() => Effect.sync(stopProbing))
    for (const connection of connections) {
      connection.on("ready", cameBack)
      connection.on("close", () => health.lost("connection closed"))
    }
    return { health, onDown: downs.add, onUp: ups.add }
  })

/**
 * The proxy's connections to Redis: commands (the rate limit's store, the locks, the audit
 * trail) and a subscriber. Redis is up while both are connected and commands succeed. Every failed command
 * counts; the first of an outage is logged (and its end), the listeners given to `onDown`
 * hear it, and the rate limit then fails open or closed.
 */
export const connectRedis = (options: RedisOptions, failure: RedisFailure) =>
  Effect.gen(function*() {
    const address = redisAddress(options)
    const commands = yield* connectOne(options, address, "commands")
    const subscriber = yield* connectOne(options, address, "subscriber")
    const { health, onDown, onUp } = yield* watchHealth(commands, subscriber, address, failure)

    /** A command that may fail without failing the request: `None` when it did (and Redis is then down). */
    const command = <A>(run: () => Promise<A>): Effect.Effect<Option.Option<A>> =>
      Effect.suspend(() => {
        const started = health.period()
        return Effect.tryPromise(run).pipe(
          Effect.tapError((error) =>
            Effect.sync(() =>
              health.failed(started, error.error instanceof Error ? error.error.message : String(error.error))
            )
          ),
          Effect.option
        )
      })

    const state: Omit<RedisState, "waitingOnOthers" | "auditSpool"> = {
      up: health.up,
      failure,
      errors: health.errors,
      outages: health.outages
    }
    const rateLimiterStore = makeRedisRateLimitStore(commands, command, failure)
    /** `onDown(listener)`, `onUp(listener)`: run each time Redis goes down or is back, until the returned function is called. */
    return { commands, subscriber, state, rateLimiterStore, command, onDown, onUp }
  })

export type RedisConnection = Effect.Effect.Success<ReturnType<typeof connectRedis>>
