/**
 * Entry point of the bundled proxy: the only place that picks the HTTP client and
 * assembles layers.
 */
import { RateLimiter } from "@effect/experimental"
import { NodeRuntime } from "@effect/platform-node"
import { FileBatchConfig } from "@filebatch/core"
import { UndiciHttpClient } from "@filebatch/undici"
import { Cause, Config, ConfigError, Effect, Either, Layer, Logger, LogLevel } from "effect"
import { AccessLog, makeJsonLines, makeJsonLinesLogger } from "./AccessLogger.js"
import { helpText } from "./internal/help.js"
import * as ProxyConfig from "./ProxyConfig.js"
import { ListenError, serve } from "./Server.js"
import * as SharedState from "./SharedState.js"

// undici keeps a pool of upstream connections alive; the client over it is the lean one
// of @filebatch/undici (most of the platform client's per-call cost is machinery core
// does not need; see that package).
const UpstreamHttpLive = UndiciHttpClient.layer({ maxResponseBytes: 1024 * 1024 })

const UpstreamLive = Layer.merge(FileBatchConfig.layerConfig(), UpstreamHttpLive)

// The rate limit's buckets and the cancels in flight: in Redis when FILEBATCH_PROXY_REDIS_URL
// is set (replicas share them), else in this process. A lock outlives no call: at most core's deadline.
const SharedStateLive = Layer.unwrapEffect(
  Effect.map(FileBatchConfig.FileBatchConfig, (settings) => SharedState.layerConfig(settings.deadline))
).pipe(Layer.provide(FileBatchConfig.layerConfig()))
const RateLimiterLive = RateLimiter.layer.pipe(Layer.provideMerge(SharedStateLive))

const lines = makeJsonLines()
const version = "0.1.0"

const MainLive = Layer.scopedDiscard(serve).pipe(
  Layer.provide([UpstreamLive, RateLimiterLive, ProxyConfig.layer(), Layer.succeed(AccessLog, lines)])
)

const logLevel = Config.string("LOG_LEVEL").pipe(
  Config.withDefault("Info"),
  Config.mapOrFail((text) => {
    const level = LogLevel.allLevels.find((level) => level.label === text.trim().toUpperCase())
    return level !== undefined ? Either.right(level) : Either.left(ConfigError.InvalidData(
      [],
      `LOG_LEVEL must be one of ${LogLevel.allLevels.map((level) => level.label).join(", ")} (got ${
        JSON.stringify(text)
      })`
    ))
  })
)

const args = process.argv.slice(2)
const main: Effect.Effect<void, ConfigError.ConfigError | ListenError | SharedState.RedisStartError> =
  args.includes("--help") || args.includes("-h")
    ? Effect.sync(() => process.stdout.write(helpText(version)))
    : args.length > 0
    ? Effect.sync(() => {
      process.stderr.write(`filebatch-proxy: takes no arguments (got ${args.join(" ")}); see --help\n`)
      process.exitCode = 2
    })
    : Effect.flatMap(logLevel, (level) => Logger.withMinimumLogLevel(Layer.launch(MainLive), level))

main.pipe(
  Effect.catchAllCause((cause) =>
    Effect.sync(() => {
      if (Cause.isInterruptedOnly(cause)) return
      const failure = Cause.failureOption(cause)
      const message = failure._tag === "None"
        ? Cause.pretty(cause)
        : failure.value instanceof ListenError || failure.value instanceof SharedState.RedisStartError
        ? failure.value.message
        : `invalid configuration: ${FileBatchConfig.describeConfigError(failure.value)}`
      process.stderr.write(`filebatch-proxy: ${message}\n`)
      process.exitCode = 1
    })
  ),
  Effect.provide(Logger.replace(Logger.defaultLogger, makeJsonLinesLogger(lines))),
  NodeRuntime.runMain({ disableErrorReporting: true, disablePrettyLogger: true })
)
