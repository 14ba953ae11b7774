/**
 * The proxy's server: node:http with bounded headers and request time, serving
 * the app of `app.ts` (`makeApp`), and a graceful drain when its scope closes (SIGTERM/SIGINT through
 * `NodeRuntime.runMain`): `/readyz` answers 503 for the drain delay while requests are
 * still served, then the proxy stops accepting, in-flight requests finish within the
 * grace period, and every connection is closed.
 *
 * Requests go straight from node:http to the app: answers that need no waiting are
 * written at once, the others run as one fiber each. The platform's `HttpServer` around
 * the app (request and response wrappers, middleware, pre-response handlers, a fiber
 * for every request) was about a fifth of a proxied call's CPU (docs/benchmarks.md), and
 * nothing else of it was used.
 */
import { RateLimiter } from "@effect/experimental"
import { type HttpClient } from "@effect/platform"
import { FileBatchClient, type FileBatchConfig } from "@filebatch/core"
import { Deferred, Duration, Effect, Exit, FiberId, FiberRef, LogLevel, Runtime, type Scope } from "effect"
import { createServer, type IncomingMessage, type ServerResponse, STATUS_CODES } from "node:http"
import { Server as NetServer, type Socket } from "node:net"
import { stopping, unexpected } from "../answers.js"
import { AuditTrail } from "../audit/AuditTrail.js"
import { reloadKeysFrom } from "../config/keysReload.js"
import { ProxyConfig } from "../config/ProxyConfig.js"
import { AccessLog } from "../ops/AccessLogger.js"
import { makeMetrics } from "../ops/Metrics.js"
import { SharedState } from "../shared/SharedState.js"
import { makeGate } from "../upstream/gate.js"
import { serveAdmin } from "./admin.js"
import { makeApp, type ProxyReply, type ProxyRequest, type ProxyState } from "./app.js"
import { swaggerUiBundle, swaggerUiCss } from "./docsAssets.js"
import { listen, type ListenError } from "./listen.js"

const builtInTracer = Effect.runSync(Effect.tracer)

/** Stops listening only; http.Server's own close() also closes idle keep-alive connections. */
const netServerClose = NetServer.prototype.close

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
      `content-length: ${Buffer.byteLength(body)}\r\nx-should-retry: ${status === 408 ? "true" : "false"}\r\n` +
      `connection: close\r\n\r\n${body}`
  )
}

/** Reads the request body up to `maxBytes`: its text, or undefined when it is longer or breaks off. */
const bodyWithin = (request: IncomingMessage) => (maxBytes: number): Effect.Effect<string | undefined> =>
  Effect.async<string | undefined>((resume) => {
    let size = 0
    const chunks: Array<Buffer> = []
    const cleanup = () => {
      request.off("data", onData)
      request.off("end", onEnd)
      request.off("error", onError)
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size > maxBytes) {
        cleanup()
        request.pause()
        resume(Effect.succeed(undefined))
      } else {
        chunks.push(chunk)
      }
    }
    const onEnd = () => {
      cleanup()
      resume(Effect.succeed(Buffer.concat(chunks).toString("utf8")))
    }
    const onError = () => {
      cleanup()
      resume(Effect.succeed(undefined))
    }
    request.on("data", onData)
    request.on("end", onEnd)
    request.on("error", onError)
    return Effect.sync(cleanup)
  })

const adapt = (request: IncomingMessage): ProxyRequest => ({
  method: request.method ?? "GET",
  url: request.url ?? "/",
  headers: request.headers,
  bodyWithin: bodyWithin(request)
})

const write = (response: ServerResponse, reply: ProxyReply) => {
  if (response.headersSent || response.destroyed) return
  // A body that was not read whole leaves the connection unusable for the next request.
  const headers = reply.status === 413 ? { ...reply.headers, connection: "close" } : reply.headers
  response.writeHead(reply.status, {
    ...headers,
    "content-type": reply.contentType,
    "content-length": Buffer.byteLength(reply.body)
  })
  response.end(reply.body)
}

const unexpectedFailure: ProxyReply = { ...unexpected(), contentType: "application/json" }
const stoppingAnswer: ProxyReply = { ...stopping(), contentType: "application/json" }

export { ListenError } from "./listen.js"

export const serve: Effect.Effect<
  void,
  ListenError,
  | ProxyConfig
  | HttpClient.HttpClient
  | FileBatchConfig.FileBatchConfig
  | RateLimiter.RateLimiter
  | SharedState
  | AuditTrail
  | AccessLog
  | Scope.Scope
> = Effect.gen(function*() {
  const settings = yield* ProxyConfig
  const client = yield* FileBatchClient.make
  const rateLimiter = yield* RateLimiter.RateLimiter
  const sharedState = yield* SharedState
  const audit = yield* AuditTrail
  const drained = yield* Deferred.make<void>()
  const state: ProxyState = {
    draining: false,
    inFlight: 0,
    onDrained: () => Deferred.unsafeDone(drained, Exit.void)
  }
  const gate = makeGate(settings.maxUpstreamConcurrency, settings.maxQueue)
  const metrics = makeMetrics({ requests: () => state.inFlight, upstream: gate.active }, sharedState.redis)
  const lines = yield* AccessLog
  const minimumLevel = yield* FiberRef.get(FiberRef.currentMinimumLogLevel)
  const accessLog = LogLevel.greaterThanEqual(LogLevel.Info, minimumLevel)
    ? (fields: Readonly<Record<string, unknown>>) => lines.write("info", "request", fields)
    : undefined
  const logHealthChecks = LogLevel.greaterThanEqual(LogLevel.Debug, minimumLevel)
  const docsAssets = { script: swaggerUiBundle, styles: swaggerUiCss }
  // A tracer other than Effect's own was installed from OTEL_* by bin.ts.
  const tracing = yield* Effect.map(Effect.tracer, (tracer) => tracer !== builtInTracer)
  const app = makeApp({
    settings,
    client,
    rateLimiter,
    sharedState,
    metrics,
    gate,
    state,
    accessLog,
    logHealthChecks,
    docsAssets,
    tracing,
    audit
  })
  const runFork = Runtime.runFork(yield* Effect.runtime<never>())

  // Requests whose answer waits on an Effect: answered with 503 if a stop's grace runs out first.
  const waiting = new Set<ServerResponse>()
  const nodeServer = createServer({
    maxHeaderSize: settings.maxHeaderBytes,
    headersTimeout: Duration.toMillis(settings.headersTimeout),
    requestTimeout: Duration.toMillis(settings.requestTimeout),
    keepAliveTimeout: 5_000
  }, (request, response) => {
    const pending = app(adapt(request))
    if (!Effect.isEffect(pending)) {
      write(response, pending)
      return
    }
    // Interruptible: this runtime was captured in layer construction, which is not,
    // and without this no timeout could interrupt an upstream call.
    const fiber = runFork(Effect.interruptible(
      pending.pipe(
        Effect.catchAllDefect(() => Effect.succeed(unexpectedFailure)),
        Effect.map((reply) => write(response, reply))
      )
    ))
    waiting.add(response)
    // A client that goes away interrupts its request (a coalesced upstream call goes on for the others).
    response.once("close", () => {
      waiting.delete(response)
      if (!response.writableEnded) fiber.unsafeInterruptAsFork(FiberId.none)
    })
  })
  nodeServer.on("clientError", onClientError)
  yield* Effect.acquireRelease(
    listen(nodeServer, settings.port, settings.host),
    () => Effect.sync(() => nodeServer.closeAllConnections())
  )

  if (settings.adminPort !== undefined) {
    yield* serveAdmin(settings.host, settings.adminPort, metrics, state, sharedState.redis, audit)
  }

  // Runs before the release above. Requests that arrive while draining are served, not
  // refused: a client whose request was already on its way must get an answer.
  yield* Effect.addFinalizer(() =>
    Effect.gen(function*() {
      state.draining = true
      yield* Effect.logInfo("draining").pipe(
        Effect.annotateLogs({ in_flight: state.inFlight, drain_delay_ms: Duration.toMillis(settings.drainDelay) })
      )
      // Readiness fails first, while new connections are still served.
      yield* Effect.sleep(settings.drainDelay)
      // Stop accepting, without node's close() closing idle keep-alive connections at
      // once: a request may be on its way on one of them. Every answer from now on
      // closes its connection instead.
      netServerClose.call(nodeServer)
      yield* Effect.logInfo("not accepting").pipe(Effect.annotateLogs({ in_flight: state.inFlight }))
      if (state.inFlight > 0) {
        // A finalizer runs uninterruptibly: without `interruptible`, the timeout could not stop
        // the wait, and a call that never ends would hold the stop until the process is killed.
        yield* Deferred.await(drained).pipe(Effect.interruptible, Effect.timeout(settings.shutdownGrace), Effect.ignore)
      }
      yield* Effect.logInfo("stopped").pipe(Effect.annotateLogs({ in_flight: state.inFlight }))
      // Whoever still waits gets an answer it can act on, not a connection closed mid-request.
      for (const response of waiting) write(response, stoppingAnswer)
      nodeServer.closeAllConnections()
    })
  )

  if (settings.keysFile !== undefined) yield* reloadKeysFrom(settings.keysFile, settings.keyring, runFork)

  const address = nodeServer.address() as { address: string; port: number }
  const hostname = address.address === "::" ? "0.0.0.0" : address.address
  yield* Effect.logInfo("listening").pipe(
    Effect.annotateLogs({
      url: `http://${hostname}:${address.port}`,
      port: address.port,
      pid: process.pid,
      client_keys: settings.keyring.size(),
      rate_limit: settings.rateLimit ?? "off",
      tracing: tracing ? "otlp" : "off",
      audit: audit.describe,
      shared_state: sharedState.redis === undefined ? "this process" : `redis (fails ${sharedState.redis.failure})`
    })
  )
})
