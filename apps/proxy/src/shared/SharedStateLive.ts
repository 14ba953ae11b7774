/**
 * Where the replicas' state and the audit trail live, chosen from the settings: Redis when
 * `FILEBATCH_PROXY_REDIS_URL` is set (the rate limit's store, the shared cancels, the trail's
 * stream and its spool), else this process (and the trail's file, when set).
 */
import { RateLimiter } from "@effect/experimental"
import { Config, ConfigError, Duration, Effect, Either, Layer, Option, Redacted, Runtime } from "effect"
import * as AuditTrail from "../audit/AuditTrail.js"
import { openFileTrail } from "../audit/fileTrail.js"
import { openSpool } from "../audit/spool.js"
import * as Settings from "../config/settings.js"
import type { RedisStartError } from "./model.js"
import { redisOptionsFromUrl } from "./redisOptions.js"
import { layerMemory, SharedState } from "./SharedState.js"

/** A shared cancel's lock: its lease, and how often its holder renews it (often enough to survive a missed renewal). */
const lockLeaseConfig = Config.all({
  lease: Settings.proxy.lockLease.config,
  renew: Settings.proxy.lockRenew.config
}).pipe(
  Config.mapOrFail(({ lease, renew }) =>
    Duration.lessThanOrEqualTo(Duration.times(renew, 2), lease)
      ? Either.right({ leaseMillis: Duration.toMillis(lease), renewMillis: Duration.toMillis(renew) })
      : Either.left(ConfigError.InvalidData(
        [],
        `${Settings.proxy.lockRenew.name} (${Duration.format(renew)}) must be at most half of ` +
          `${Settings.proxy.lockLease.name} (${Duration.format(lease)}): a lock whose renewal is late once would expire`
      ))
  )
)

const redisConfig = Config.all({
  url: Settings.proxy.redisUrl.config,
  lockLease: lockLeaseConfig,
  failure: Settings.proxy.redisFailure.config,
  auditFile: Settings.proxy.auditFile.config,
  auditStream: Settings.proxy.auditStream.config,
  auditMaxRecords: Settings.proxy.auditMaxRecords.config,
  auditSpool: Settings.proxy.auditSpool.config,
  // Set by the primary for each of its workers: the slot a replaced worker takes over, spool and all.
  workerSlot: Config.option(Config.integer("FILEBATCH_PROXY_WORKER_SLOT"))
})

/** The spool of the Redis trail, open (and locked) until the layer closes; each worker has its own. */
const auditSpool = (path: string, workerSlot: Option.Option<number>) =>
  Effect.acquireRelease(
    Effect.try({
      try: () => openSpool(Option.match(workerSlot, { onNone: () => path, onSome: (slot) => `${path}.${slot}` })),
      catch: (error) => ConfigError.InvalidData([], `${Settings.proxy.auditSpool.name}: ${(error as Error).message}`)
    }),
    (spool) => Effect.sync(spool.close)
  )

/** The audit file, open until the layer closes; `none` when no file is set. */
const fileTrail = (path: string | undefined, maxRecords: number) =>
  path === undefined
    ? Effect.succeed(AuditTrail.none)
    : Effect.acquireRelease(
      openFileTrail(path, maxRecords).pipe(
        Effect.mapError((error) => ConfigError.InvalidData([], `FILEBATCH_PROXY_AUDIT_FILE: ${error.message}`))
      ),
      (trail) => Effect.sync(trail.close)
    )

/**
 * Redis when `FILEBATCH_PROXY_REDIS_URL` is set, else this process. A shared cancel's lock is
 * a lease its holder renews while it calls: replicas waiting on a holder that died call
 * themselves once the lease runs out.
 */
export const layerConfig: Layer.Layer<
  SharedState | RateLimiter.RateLimiterStore | AuditTrail.AuditTrail,
  ConfigError.ConfigError | RedisStartError
> = Layer.unwrapScoped(Effect.gen(function*() {
  const { auditFile, auditMaxRecords, auditSpool: spoolPath, auditStream, failure, lockLease, url, workerSlot } =
    yield* redisConfig
  if (Option.isNone(url)) {
    return Layer.merge(
      layerMemory,
      Layer.succeed(AuditTrail.AuditTrail, yield* fileTrail(auditFile, auditMaxRecords))
    )
  }
  if (auditFile !== undefined) {
    return yield* Effect.fail(ConfigError.InvalidData(
      [],
      "FILEBATCH_PROXY_AUDIT_FILE is for a proxy without Redis: with FILEBATCH_PROXY_REDIS_URL the replicas keep " +
        "one trail in the stream FILEBATCH_PROXY_AUDIT_STREAM"
    ))
  }
  const options = redisOptionsFromUrl(Redacted.value(url.value))
  if (typeof options === "string") return yield* Effect.fail(ConfigError.InvalidData([], options))
  // Loaded only when Redis is configured: ioredis costs every other proxy start time and memory.
  const { connectRedis } = yield* Effect.promise(() => import("./redisConnection.js"))
  const { makeSharedCalls } = yield* Effect.promise(() => import("./sharedCalls.js"))
  const connection = yield* connectRedis(options, failure)
  const calls = yield* makeSharedCalls(connection, lockLease)
  const { makeRedisTrail } = yield* Effect.promise(() => import("../audit/redisTrail.js"))
  const spool = yield* auditSpool(spoolPath, workerSlot)
  const trail = makeRedisTrail(connection, auditStream, auditMaxRecords, spool)
  // What an earlier process left in the spool goes first; then, after each outage, what this one put there.
  yield* trail.flush
  const runFork = Runtime.runFork(yield* Effect.runtime<never>())
  yield* Effect.acquireRelease(
    Effect.sync(() => connection.onUp(() => runFork(trail.flush))),
    (stopListening) => Effect.sync(stopListening)
  )
  return Layer.mergeAll(
    Layer.succeed(SharedState, {
      redis: { ...connection.state, waitingOnOthers: calls.waitingOnOthers, auditSpool: trail.spool },
      acrossReplicas: calls.acrossReplicas
    }),
    Layer.succeed(RateLimiter.RateLimiterStore, connection.rateLimiterStore),
    Layer.succeed(AuditTrail.AuditTrail, trail)
  )
}))
