/**
 * The proxy's servers: node:http with bounded headers and request time on the public port
 * (and the admin port when set), each serving its port's dispatcher, and a graceful drain
 * when the scope closes (SIGTERM/SIGINT through `NodeRuntime.runMain`): `/readyz` answers
 * 503 for the drain delay while requests are still served, then the proxy stops accepting,
 * in-flight requests finish within the grace period, and every connection is closed.
 */
import { Duration, Effect, type Scope } from "effect"
import { createServer, type Server, STATUS_CODES } from "node:http"
import { Server as NetServer, type Socket } from "node:net"
import { malformedRequest } from "../answers.js"
import { AuditTrail } from "../audit/AuditTrail.js"
import { ClientKeys } from "../config/ClientKeys.js"
import { ProxyConfig, type ProxySettings } from "../config/ProxyConfig.js"
import { ServerState, type ServerStateService } from "../ops/ServerState.js"
import { SpanExport } from "../ops/spans.js"
import { SharedState } from "../shared/SharedState.js"
import { makeApiHandler } from "./apiRoute.js"
import { type Dispatcher, makeDispatcher } from "./dispatch.js"
import { listen } from "./listen.js"
import { makeOwnHandlers, type OwnHandlers } from "./ownRoutes.js"
import { makeRouter } from "./router.js"

export { ListenError } from "./listen.js"

/** Stops listening only; http.Server's own close() also closes idle keep-alive connections. */
const netServerClose = NetServer.prototype.close

/** Malformed requests that node:http refuses before any handler still get OpenAI's error shape. */
const onClientError = (error: Error & { code?: string }, socket: Socket): void => {
  if (!socket.writable) {
    socket.destroy()
    return
  }
  const answer = malformedRequest(
    error.code === "HPE_HEADER_OVERFLOW" ? 431 : error.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : 400
  )
  const headers = Object.entries(answer.headers).map(([name, value]) => `${name}: ${value}\r\n`).join("")
  socket.end(
    `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\ncontent-type: application/json\r\n` +
      `content-length: ${Buffer.byteLength(answer.body)}\r\n${headers}connection: close\r\n\r\n${answer.body}`
  )
}

/** The public port: listening until the scope closes, then every connection closed. */
const servePublic = (settings: ProxySettings, dispatcher: Dispatcher) =>
  Effect.gen(function*() {
    const server = createServer({
      maxHeaderSize: settings.maxHeaderBytes,
      headersTimeout: Duration.toMillis(settings.headersTimeout),
      requestTimeout: Duration.toMillis(settings.requestTimeout),
      keepAliveTimeout: 5_000
    }, dispatcher.listener)
    server.on("clientError", onClientError)
    yield* Effect.acquireRelease(
      listen(server, settings.port, settings.host),
      () => Effect.sync(() => server.closeAllConnections())
    )
    return server
  })

/** The admin port: released after the drain (acquired before it is registered), so the drain can be watched there. */
const serveAdmin = (settings: ProxySettings, port: number, handlers: OwnHandlers) =>
  Effect.gen(function*() {
    const server = createServer((yield* makeDispatcher("admin", yield* makeRouter("admin", handlers))).listener)
    server.on("clientError", onClientError)
    yield* Effect.acquireRelease(
      listen(server, port, settings.host),
      () => Effect.sync(() => (server.close(), server.closeAllConnections()))
    )
    const bound = (server.address() as { port: number }).port
    yield* Effect.logInfo("admin listening").pipe(
      Effect.annotateLogs({
        url: `http://${settings.host}:${bound}`,
        port: bound,
        routes: "/metrics /healthz /readyz /audit"
      })
    )
  })

/**
 * Runs before the public port's release. Requests that arrive while draining are served,
 * not refused: a client whose request was already on its way must get an answer.
 */
const drainOnStop = (settings: ProxySettings, state: ServerStateService, server: Server, dispatcher: Dispatcher) =>
  Effect.addFinalizer(() =>
    Effect.gen(function*() {
      state.startDraining()
      yield* Effect.logInfo("draining").pipe(
        Effect.annotateLogs({ in_flight: state.inFlight(), drain_delay_ms: Duration.toMillis(settings.drainDelay) })
      )
      // Readiness fails first, while new connections are still served.
      yield* Effect.sleep(settings.drainDelay)
      // Stop accepting, without node's close() closing idle keep-alive connections at
      // once: a request may be on its way on one of them. Every answer from now on
      // closes its connection instead.
      netServerClose.call(server)
      yield* Effect.logInfo("not accepting").pipe(Effect.annotateLogs({ in_flight: state.inFlight() }))
      if (state.inFlight() > 0) {
        // A finalizer runs uninterruptibly: without `interruptible`, the timeout could not stop
        // the wait, and a call that never ends would hold the stop until the process is killed.
        yield* state.drained.pipe(Effect.interruptible, Effect.timeout(settings.shutdownGrace), Effect.ignore)
      }
      yield* Effect.logInfo("stopped").pipe(Effect.annotateLogs({ in_flight: state.inFlight() }))
      // Whoever still waits gets an answer it can act on, not a connection closed mid-request.
      dispatcher.answerWaiting()
      server.closeAllConnections()
    })
  )

const logListening = (server: Server) =>
  Effect.gen(function*() {
    const settings = yield* ProxyConfig
    const address = server.address() as { address: string; port: number }
    const hostname = address.address === "::" ? "0.0.0.0" : address.address
    const { redis } = yield* SharedState
    yield* Effect.logInfo("listening").pipe(
      Effect.annotateLogs({
        url: `http://${hostname}:${address.port}`,
        port: address.port,
        pid: process.pid,
        client_keys: (yield* ClientKeys).size(),
        rate_limit: settings.rateLimit ?? "off",
        tracing: (yield* SpanExport).on ? "otlp" : "off",
        audit: (yield* AuditTrail).describe,
        shared_state: redis === undefined ? "this process" : `redis (fails ${redis.failure})`
      })
    )
  })

/** Serves until the scope closes, then drains. */
export const serve = Effect.gen(function*() {
  const settings = yield* ProxyConfig
  // The request's way: dispatcher, router, then the API's handler or one of the proxy's own.
  const handlers = yield* makeOwnHandlers
  const router = yield* makeRouter("public", handlers, yield* makeApiHandler)
  const dispatcher = yield* makeDispatcher("public", router)
  const server = yield* servePublic(settings, dispatcher)
  if (settings.adminPort !== undefined) yield* serveAdmin(settings, settings.adminPort, handlers)
  yield* drainOnStop(settings, yield* ServerState, server, dispatcher)
  yield* logListening(server)
})

export type ServeRequirements = Effect.Effect.Context<typeof serve> | Scope.Scope
