/**
 * Entry point of the bundled proxy: the only place that picks the HTTP client and
 * assembles layers.
 */
import { RateLimiter } from "@effect/experimental"
import { HttpClient } from "@effect/platform"
import { NodeHttpClient, NodeRuntime } from "@effect/platform-node"
import { FileBatchConfig } from "@filebatch/core"
import { Cause, Config, Effect, Layer, Logger, LogLevel } from "effect"
import { AccessLog, makeJsonLines, makeJsonLinesLogger } from "./AccessLogger.js"
import * as ProxyConfig from "./ProxyConfig.js"
import { serve } from "./Server.js"

// undici keeps a pool of upstream connections alive. Tracing spans per upstream call
// cost a measured ~10% of throughput and nothing here exports them, so they are off.
const UpstreamHttpLive = Layer.effect(
  HttpClient.HttpClient,
  Effect.map(
    HttpClient.HttpClient,
    (client) => client.pipe(HttpClient.withTracerPropagation(false), HttpClient.withTracerDisabledWhen(() => true))
  )
).pipe(Layer.provide(NodeHttpClient.layerUndici))

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
      const message = failure._tag === "Some"
        ? `invalid configuration: ${describeConfigError(failure.value)}`
        : Cause.pretty(cause)
      process.stderr.write(`filebatch-proxy: ${message}\n`)
      process.exitCode = 1
    })
  ),
  Effect.provide(Logger.replace(Logger.defaultLogger, makeJsonLinesLogger(lines))),
  Effect.flatMap(() => Effect.void),
  (effect) => Effect.flatMap(logLevel, (level) => Logger.withMinimumLogLevel(effect, level)),
  NodeRuntime.runMain({ disableErrorReporting: true, disablePrettyLogger: true })
)
