/**
 * Entry point of the bundled proxy: the only place that picks the HTTP client and
 * assembles layers.
 */
import { RateLimiter } from "@effect/experimental"
import { NodeRuntime } from "@effect/platform-node"
import { FileBatchConfig } from "@filebatch/core"
import { UndiciHttpClient } from "@filebatch/undici"
import { Cause, Config, Effect, Layer, Logger, LogLevel } from "effect"
import { AccessLog, makeJsonLines, makeJsonLinesLogger } from "./AccessLogger.js"
import * as ProxyConfig from "./ProxyConfig.js"
import { ListenError, serve } from "./Server.js"

// undici keeps a pool of upstream connections alive; the client over it is the lean one
// of @filebatch/undici (most of the platform client's per-call cost is machinery core
// does not need; see that package).
const UpstreamHttpLive = UndiciHttpClient.layer({ maxResponseBytes: 1024 * 1024 })

const UpstreamLive = Layer.merge(FileBatchConfig.layerConfig(), UpstreamHttpLive)

const RateLimiterLive = RateLimiter.layer.pipe(Layer.provide(RateLimiter.layerStoreMemory))

const lines = makeJsonLines()

const MainLive = Layer.scopedDiscard(serve).pipe(
  Layer.provide([UpstreamLive, RateLimiterLive, ProxyConfig.layer(), Layer.succeed(AccessLog, lines)])
)

/** `(Invalid data at X: "message")` → `X: message`; several errors joined by `; `. */
const describeConfigError = (error: unknown): string =>
  String(error)
    .replace(/^\((.*)\)$/s, "$1")
    .replace(/(?:Invalid|Missing) data at ([^:]*): "((?:[^"\\]|\\.)*)"/g, (_, path: string, text: string) =>
      `${path === "" || text.startsWith(path) ? "" : `${path}: `}${text.replace(/\\"/g, "\"")}`)

const logLevel = Config.logLevel("LOG_LEVEL").pipe(Config.withDefault(LogLevel.Info))

Layer.launch(MainLive).pipe(
  Effect.catchAllCause((cause) =>
    Effect.sync(() => {
      if (Cause.isInterruptedOnly(cause)) return
      const failure = Cause.failureOption(cause)
      const message = failure._tag === "None"
        ? Cause.pretty(cause)
        : failure.value instanceof ListenError
        ? failure.value.message
        : `invalid configuration: ${describeConfigError(failure.value)}`
      process.stderr.write(`filebatch-proxy: ${message}\n`)
      process.exitCode = 1
    })
  ),
  Effect.provide(Logger.replace(Logger.defaultLogger, makeJsonLinesLogger(lines))),
  Effect.flatMap(() => Effect.void),
  (effect) => Effect.flatMap(logLevel, (level) => Logger.withMinimumLogLevel(effect, level)),
  NodeRuntime.runMain({ disableErrorReporting: true, disablePrettyLogger: true })
)
