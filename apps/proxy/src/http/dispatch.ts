/**
 * One dispatcher from node:http for both ports: route, one fiber per request that must
 * wait, the answer written with its request ID, the request counted and logged once
 * however it ends. Every error body it writes comes from `answers.ts`.
 *
 * The one place that looks at whether an answer is already known: a handler that decided
 * without waiting returns an `Exit`, which is written at once; the others run as a fiber
 * each (docs/benchmarks.md: a fiber per request is cheap, the platform's server is not).
 */
import { Effect, Exit, FiberId, Runtime } from "effect"
import type { IncomingMessage, ServerResponse } from "node:http"
import * as Answers from "../answers.js"
import { RequestLog } from "../ops/AccessLogger.js"
import { Metrics } from "../ops/Metrics.js"
import { ServerState } from "../ops/ServerState.js"
import { accessLine, clientClosed, type RequestFacts } from "./accessLine.js"
import { type Handled, handled, other, routeFacts } from "./handled.js"
import { requestIdFrom } from "./params.js"
import { headerOf, type ProxyReply, type ProxyRequest } from "./request.js"
import type { Route } from "./router.js"

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

export const write = (response: ServerResponse, reply: ProxyReply) => {
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

/** Whether the handler decided without waiting: its answer is there to write, with no fiber. */
const isDecided = <A>(
  effect: Effect.Effect<A>
): effect is Exit.Exit<A> & { readonly _tag: "Success"; readonly value: A } =>
  Exit.isExit(effect) && Exit.isSuccess(effect)

const asReply = (answer: Answers.Answer): ProxyReply => ({ ...answer, contentType: "application/json" })
const unexpectedReply = asReply(Answers.unexpected())

export interface Dispatcher {
  /** The reply to a request: an `Exit` when known without waiting. */
  readonly handle: (request: ProxyRequest) => Effect.Effect<ProxyReply>
  /** node:http's request listener. */
  readonly listener: (request: IncomingMessage, response: ServerResponse) => void
  /** Answers every request still waiting on its fiber (a stop's grace ran out) with a retryable 503. */
  readonly answerWaiting: () => void
}

/**
 * The dispatcher of a port. The public port's requests are counted in flight (the drain
 * waits for them), measured and logged; the admin port's are not (scrapes and audit reads).
 */
export const makeDispatcher = (port: "public" | "admin", route: Route) =>
  Effect.gen(function*() {
    const state = yield* ServerState
    const metrics = yield* Metrics
    const log = yield* RequestLog
    const observed = port === "public"
    const runFork = Runtime.runFork(yield* Effect.runtime<never>())

    const handle = (request: ProxyRequest): Effect.Effect<ProxyReply> => {
      const started = performance.now()
      const requestId = requestIdFrom(headerOf(request, "x-request-id"))
      const queryAt = request.url.indexOf("?")
      const path = queryAt >= 0 ? request.url.slice(0, queryAt) : request.url
      if (observed) state.enter()
      let counted = observed
      /** Counts the request out once, however it ends, and writes its line. */
      const finish = (status: number, facts: RequestFacts) => {
        if (!counted) return
        counted = false
        const latencyMs = performance.now() - started
        metrics.answered(facts.route, status, latencyMs / 1000)
        if (
          log.write !== undefined && (log.healthChecks || (facts !== routeFacts.healthz && facts !== routeFacts.readyz))
        ) {
          log.write(accessLine(requestId, request.method, path, status, latencyMs, facts))
        }
        state.leave()
      }
      const reply = ({ answer, facts }: Handled): ProxyReply => {
        finish(answer.status, facts)
        const headers: Record<string, string> = { ...answer.headers, "x-request-id": requestId }
        if (state.draining()) headers["connection"] = "close"
        return {
          status: answer.status,
          headers,
          body: request.method === "HEAD" ? "" : answer.body,
          contentType: answer.contentType ?? "application/json"
        }
      }
      let pending: Effect.Effect<Handled>
      try {
        pending = route({ request, path, requestId, closed: (facts) => finish(clientClosed, facts) })
      } catch {
        pending = Effect.succeed(handled(Answers.unexpected(), other))
      }
      if (isDecided(pending)) return Exit.succeed(reply(pending.value))
      return pending.pipe(
        Effect.catchAllDefect(() => Effect.succeed(handled(Answers.unexpected(), other))),
        Effect.map(reply),
        // A client that goes away before its answer: counted and logged all the same.
        Effect.onInterrupt(() => Effect.sync(() => finish(clientClosed, other)))
      )
    }

    // Requests whose answer waits on a fiber: answered with 503 if a stop's grace runs out first.
    const waiting = new Set<ServerResponse>()
    const listener = (request: IncomingMessage, response: ServerResponse) => {
      const pending = handle(adapt(request))
      if (isDecided(pending)) {
        write(response, pending.value)
        return
      }
      // Interruptible: this runtime was captured in layer construction, which is not,
      // and without this no timeout could interrupt an upstream call.
      const fiber = runFork(Effect.interruptible(
        pending.pipe(
          Effect.catchAllDefect(() => Effect.succeed(unexpectedReply)),
          Effect.map((reply) => write(response, reply))
        )
      ))
      waiting.add(response)
      // A client that goes away interrupts its request (a coalesced upstream call goes on for the others).
      response.once("close", () => {
        waiting.delete(response)
        if (!response.writableEnded) fiber.unsafeInterruptAsFork(FiberId.none)
      })
    }

    const stoppingReply = asReply(Answers.stopping())
    const answerWaiting = () => {
      for (const response of waiting) write(response, stoppingReply)
    }
    return { handle, listener, answerWaiting } satisfies Dispatcher
  })
