/**
 * The proxy's server: node:http with bounded headers and request time, serving
 * `Proxy.makeApp`, and a graceful drain when its scope closes (SIGTERM/SIGINT through
 * `NodeRuntime.runMain`): stop accepting, `/readyz` answers 503, in-flight requests
 * finish within the grace period, then every connection is closed.
 */
import { RateLimiter } from "@effect/experimental"
import { HttpClient, HttpMiddleware, HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import type { ServeError } from "@effect/platform/HttpServerError"
import { FileBatchClient, type FileBatchConfig } from "@filebatch/core"
import { Context, Duration, Effect, FiberRef, Layer, LogLevel, Schedule, type Scope } from "effect"
import { createServer, type Server, STATUS_CODES } from "node:http"
import type { Socket } from "node:net"
import { AccessLog } from "./AccessLogger.js"
import { makeMetrics } from "./Metrics.js"
import { makeApp, type ProxyState } from "./Proxy.js"
import { ProxyConfig } from "./ProxyConfig.js"
import { countAttempts } from "./UpstreamAttempts.js"

/** Malformed requests that node:http refuses before any handler still get OpenAI's error shape. */
const onClientError = (error: Error & { code?: string }, socket: Socket): void => {
  if (!socket.writable) {
    socket.destroy()
    return
  }
  const status = error.code === "HPE_HEADER_OVERFLOW"
    ? 431
    : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
    ? 408
    : 400
  const body = JSON.stringify({
    error: {
      message: status === 431
        ? "Request headers too large."
        : status === 408
        ? "Request timed out."
        : "Malformed request.",
      type: "invalid_request_error",
      param: null,
      code: null
    }
  })
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`
  )
}

export const serve: Effect.Effect<
  void,
  ServeError,
  | ProxyConfig
  | HttpClient.HttpClient
  | FileBatchConfig.FileBatchConfig
  | RateLimiter.RateLimiter
  | AccessLog
  | Scope.Scope
> = Effect.gen(function*() {
  const settings = yield* ProxyConfig
  // Core's client over the app's HTTP client, wrapped to count every upstream attempt.
  const http = countAttempts(yield* HttpClient.HttpClient)
  const client = yield* Effect.provideService(FileBatchClient.make, HttpClient.HttpClient, http)
  const rateLimiter = yield* RateLimiter.RateLimiter
  const metrics = makeMetrics()
  const lines = yield* AccessLog
  const minimumLevel = yield* FiberRef.get(FiberRef.currentMinimumLogLevel)
  const accessLog = LogLevel.greaterThanEqual(LogLevel.Info, minimumLevel)
    ? (fields: Readonly<Record<string, unknown>>) => lines.write("info", "request", fields)
    : undefined
  const state: ProxyState = { draining: false, inFlight: 0 }

  let nodeServer: Server | undefined
  const context = yield* Layer.build(
    NodeHttpServer.layer(() => {
      nodeServer = createServer({
        maxHeaderSize: settings.maxHeaderBytes,
        headersTimeout: Duration.toMillis(settings.headersTimeout),
        requestTimeout: Duration.toMillis(settings.requestTimeout),
        keepAliveTimeout: 5_000
      })
      nodeServer.on("clientError", onClientError)
      return nodeServer
    }, { port: settings.port, host: settings.host })
  )
  const server = Context.get(context, HttpServer.HttpServer)
  // The handler runtime is captured here, inside layer construction, which is
  // uninterruptible: without this, no timeout could interrupt an upstream call.
  // Server spans are off: nothing exports them, and building one per request (URL,
  // attributes, redacted headers) was a measurable share of each request's CPU.
  yield* server.serve(Effect.interruptible(makeApp({ settings, client, rateLimiter, metrics, state, accessLog }))).pipe(
    Effect.locally(HttpMiddleware.currentTracerDisabledWhen, () => true)
  )

  // Added after `serve`, so it runs before the request handler is removed.
  yield* Effect.addFinalizer(() =>
    Effect.gen(function*() {
      state.draining = true
      nodeServer?.close()
      nodeServer?.closeIdleConnections()
      yield* Effect.logInfo("draining").pipe(Effect.annotateLogs({ in_flight: state.inFlight }))
      yield* Effect.sync(() => state.inFlight).pipe(
        Effect.repeat({ until: (n) => n <= 0, schedule: Schedule.spaced("10 millis") }),
        Effect.timeout(settings.shutdownGrace),
        Effect.ignore
      )
      yield* Effect.logInfo("stopped").pipe(Effect.annotateLogs({ in_flight: state.inFlight }))
      nodeServer?.closeAllConnections()
    })
  )

  const address = server.address as HttpServer.TcpAddress
  yield* Effect.logInfo("listening").pipe(
    Effect.annotateLogs({
      url: `http://${address.hostname}:${address.port}`,
      port: address.port,
      client_keys: settings.keyring.size,
      rate_limit: settings.rateLimit ?? "off"
    })
  )
})
