/**
 * Entry point of the bundled proxy: the only place that picks the HTTP client and
 * assembles layers.
 */
import { RateLimiter } from "@effect/experimental"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { FileBatchClient, FileBatchConfig } from "@filebatch/core"
import { Tracing } from "@filebatch/telemetry"
import { UndiciHttpClient } from "@filebatch/undici"
import { Cause, ConfigError, Effect, Layer, Logger, Option } from "effect"
import cluster from "node:cluster"
import * as ClientKeys from "./config/keysReload.js"
import * as ProxyConfig from "./config/ProxyConfig.js"
import * as Settings from "./config/settings.js"
import * as AuditCalls from "./http/auditCall.js"
import * as DocsAssets from "./http/docsAssets.js"
import { ListenError, serve } from "./http/Server.js"
import * as RequestLog from "./ops/AccessLogger.js"
import { AccessLog, makeJsonLines, makeJsonLinesLogger } from "./ops/AccessLogger.js"
import * as Metrics from "./ops/Metrics.js"
import * as ServerState from "./ops/ServerState.js"
import * as SpanExport from "./ops/spans.js"
import { version } from "./ops/version.js"
import { runWorkers } from "./ops/workers.js"
import * as SharedState from "./shared/SharedState.js"
import * as SharedStateLive from "./shared/SharedStateLive.js"
import * as UpstreamGate from "./upstream/gate.js"
import * as KeyRateLimit from "./upstream/keyRateLimit.js"
import * as Upstream from "./upstream/Upstream.js"

// undici keeps a pool of upstream connections alive; the client over it is the lean one
// of @filebatch/undici (most of the platform client's per-call cost is machinery core
// does not need; see that package).
const UpstreamHttpLive = UndiciHttpClient.layer({ maxResponseBytes: 1024 * 1024 })

// Core's client, its settings read once (the same layer value is built once) for the upstream and the shared state.
const CoreClientLive = FileBatchClient.layer.pipe(
  Layer.provide(FileBatchConfig.layerConfig()),
  Layer.provide(UpstreamHttpLive)
)

// The rate limit's buckets, the cancels in flight and the audit trail: in Redis when
// FILEBATCH_PROXY_REDIS_URL is set (replicas share them), else in this process.
const SharedLive = RateLimiter.layer.pipe(Layer.provideMerge(SharedStateLive.layerConfig))

// A worker's lines say which worker wrote them.
const lines = makeJsonLines(undefined, cluster.isWorker ? { worker: cluster.worker!.id } : undefined)

// OpenTelemetry's SDK when OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT is set, else nothing is loaded;
// spans are flushed when the proxy stops.
const TracingLive = Tracing.layerFromEnv("filebatch-proxy", version)

// Each concern a service; every one is built once, whoever needs it.
const ObservedLive = Metrics.layer.pipe(
  Layer.provideMerge(Layer.merge(ServerState.layer, UpstreamGate.layer))
)
const UpstreamLive = Upstream.layer.pipe(
  Layer.provideMerge(KeyRateLimit.layer),
  Layer.provide(CoreClientLive)
)
const ServicesLive = Layer.mergeAll(
  UpstreamLive,
  AuditCalls.layer,
  ClientKeys.layer,
  RequestLog.layer,
  DocsAssets.layer
).pipe(
  Layer.provideMerge(ObservedLive),
  Layer.provideMerge(SpanExport.layerFromTracer),
  Layer.provideMerge(Layer.merge(ProxyConfig.layer(), Layer.succeed(AccessLog, lines))),
  // First: a conflict of its settings (an audit file with Redis) is the one reported.
  Layer.provideMerge(SharedLive)
)

const MainLive = Layer.scopedDiscard(serve).pipe(
  Layer.provide(ServicesLive),
  Layer.provide(TracingLive)
)

/** How many workers; more than one needs Redis, which is what they share. */
const workersConfig = Effect.gen(function*() {
  const workers = yield* Settings.proxy.workers.config
  if (workers > 1 && Option.isNone(yield* Settings.proxy.redisUrl.config)) {
    return yield* Effect.fail(ConfigError.InvalidData(
      [],
      `FILEBATCH_PROXY_WORKERS=${workers} needs FILEBATCH_PROXY_REDIS_URL: workers share the rate limits and the ` +
        `cancels in flight through Redis; without it each would keep its own, and a key would get ${workers}× its limit`
    ))
  }
  return workers
})

const describeFailure = (cause: Cause.Cause<unknown>) => {
  const failure = Cause.failureOption(cause)
  return failure._tag === "None"
    ? Cause.pretty(cause)
    : failure.value instanceof ListenError || failure.value instanceof SharedState.RedisStartError
    ? failure.value.message
    : `invalid configuration: ${FileBatchConfig.describeConfigError(failure.value as ConfigError.ConfigError)}`
}

const args = process.argv.slice(2)

/** The proxy, serving until it is stopped. */
const serveProxy = Effect.flatMap(
  Settings.proxy.logLevel.config,
  (level) => Logger.withMinimumLogLevel(Layer.launch(MainLive), level)
)

// The command line is parsed only when there is one: serving needs none, and @effect/cli
// would cost every proxy start time and memory.
const main: Effect.Effect<void, ConfigError.ConfigError | ListenError | SharedState.RedisStartError> = args.length === 0
  ? serveProxy
  : Effect.flatMap(Effect.promise(() => import("./command/command.js")), (command) => command.run(args, serveProxy))

const runProxy = () =>
  main.pipe(
    Effect.catchAllCause((cause) =>
      Effect.sync(() => {
        if (Cause.isInterruptedOnly(cause)) return
        process.stderr.write(`filebatch-proxy: ${describeFailure(cause)}\n`)
        process.exitCode = 1
      })
    ),
    Effect.provide(Logger.replace(Logger.defaultLogger, makeJsonLinesLogger(lines))),
    // A worker's channel to the primary would keep it alive after its end (a failed start too).
    Effect.ensuring(Effect.sync(() => cluster.isWorker && process.connected && process.disconnect())),
    NodeRuntime.runMain({ disableErrorReporting: true, disablePrettyLogger: true })
  )

if (cluster.isWorker) {
  // The primary passes each signal on, and a terminal's Ctrl-C reaches every process:
  // the first starts the drain, later ones must not kill the worker mid-drain.
  process.on("SIGINT", () => {})
  process.on("SIGTERM", () => {})
  // The primary gone: drain and stop, as on SIGTERM.
  process.once("disconnect", () => process.emit("SIGTERM", "SIGTERM"))
  runProxy()
} else if (args.length > 0) {
  runProxy()
} else {
  const workers = Effect.runSync(Effect.either(workersConfig))
  if (workers._tag === "Left") {
    process.stderr.write(`filebatch-proxy: ${describeFailure(Cause.fail(workers.left))}\n`)
    process.exitCode = 1
  } else if (workers.right > 1) {
    void runWorkers(workers.right, lines.write).then((status) => process.exit(status))
  } else {
    runProxy()
  }
}
