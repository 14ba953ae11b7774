/**
 * The request path: route (the API's operations in `apiRoute.ts`, the proxy's own routes in
 * `opsRoutes.ts`), then answer in OpenAI's shape, log and count. Nothing reaches the upstream before the IDs, the key and its scope have
 * been checked.
 */
import type { RateLimiter } from "@effect/experimental"
import type { FileBatchClient } from "@filebatch/core"
import { Effect } from "effect"
import * as Answers from "../answers.js"
import type { AuditTrailService } from "../audit/AuditTrail.js"
import type { ProxySettings } from "../config/ProxyConfig.js"
import type { Metrics } from "../ops/Metrics.js"
import type { SharedStateService } from "../shared/SharedState.js"
import type { Gate } from "../upstream/gate.js"
import { makeUpstream } from "../upstream/Upstream.js"
import { accessLine, clientClosed, type RequestFacts } from "./accessLine.js"
import { makeApiRoute, matchApi } from "./apiRoute.js"
import { makeAuditCall } from "./auditCall.js"
import type { DocsAssets } from "./docs.js"
import { type Handled, handled, type Incoming, other, routeFacts } from "./handled.js"
import { makeOpsRoutes } from "./opsRoutes.js"
import { requestIdFrom } from "./params.js"
import { headerOf, type NowOrLater, type ProxyRequest } from "./request.js"
import { withServerSpan } from "./serverSpan.js"

export type { ProxyRequest } from "./request.js"

/** The answer to write. */
export interface ProxyReply {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: string
  readonly contentType: string
}

export interface ProxyState {
  /** Set at SIGTERM/SIGINT: `/readyz` fails and every answer closes its connection. */
  draining: boolean
  inFlight: number
  /** Called when the last request in flight is answered while draining. */
  readonly onDrained: () => void
}

export interface ProxyDeps {
  readonly settings: ProxySettings
  readonly client: FileBatchClient.FileBatchClientService
  readonly rateLimiter: RateLimiter.RateLimiter
  readonly sharedState: SharedStateService
  readonly metrics: Metrics
  readonly gate: Gate
  readonly state: ProxyState
  /** Writes the access log line of a request; `undefined` when the log level hides it. */
  readonly accessLog: ((fields: Readonly<Record<string, unknown>>) => void) | undefined
  /** The docs UI's files (embedded by the build). */
  readonly docsAssets: DocsAssets
  /** Whether health and readiness checks get access log lines too (at debug: they come every few seconds). */
  readonly logHealthChecks: boolean
  /** Whether spans are exported (OTEL_* set): only then does an API request get a server span. */
  readonly tracing: boolean
  /** Where state-changing calls are recorded before they are answered. */
  readonly audit: AuditTrailService
}

/**
 * The proxy as a function of a request. Requests that need no waiting (health, docs,
 * every rejection) are answered synchronously; only an upstream call, a body read or a
 * rate-limit check is an Effect, run in its own fiber by the server.
 */
export const makeApp = (deps: ProxyDeps): (request: ProxyRequest) => NowOrLater<ProxyReply> => {
  const { accessLog, logHealthChecks, metrics, settings, state, tracing } = deps
  const { forward } = makeUpstream(deps)
  const api = makeApiRoute(settings, forward, tracing, makeAuditCall(deps.audit, metrics))
  const ops = makeOpsRoutes(deps)
  const route = (incoming: Incoming): NowOrLater<Handled> => {
    const match = matchApi(incoming.request.method, incoming.path)
    if (match === undefined) return ops(incoming)
    return tracing
      ? withServerSpan(incoming.request, incoming.requestId, incoming.path, match, () => api(incoming, match))
      : api(incoming, match)
  }

  return (request: ProxyRequest): NowOrLater<ProxyReply> => {
    const started = performance.now()
    const requestId = requestIdFrom(headerOf(request, "x-request-id"))
    const rawUrl = request.url
    const queryAt = rawUrl.indexOf("?")
    const path = queryAt >= 0 ? rawUrl.slice(0, queryAt) : rawUrl
    const method = request.method
    state.inFlight += 1
    let counted = true
    /** Counts the request out once, however it ends, and writes its line. */
    const finish = (status: number, facts: RequestFacts) => {
      if (!counted) return
      counted = false
      state.inFlight -= 1
      const latencyMs = performance.now() - started
      metrics.answered(facts.route, status, latencyMs / 1000)
      if (
        accessLog !== undefined && (logHealthChecks || (facts !== routeFacts.healthz && facts !== routeFacts.readyz))
      ) {
        accessLog(accessLine(requestId, method, path, status, latencyMs, facts))
      }
      if (state.draining && state.inFlight === 0) state.onDrained()
    }

    const reply = ({ answer, facts }: Handled): ProxyReply => {
      finish(answer.status, facts)
      const headers: Record<string, string> = { ...answer.headers, "x-request-id": requestId }
      if (state.draining) headers["connection"] = "close"
      return {
        status: answer.status,
        headers,
        body: method === "HEAD" ? "" : answer.body,
        contentType: answer.contentType ?? "application/json"
      }
    }

    let pending: NowOrLater<Handled>
    try {
      pending = route({ request, path, requestId, closed: (facts) => finish(clientClosed, facts) })
    } catch {
      pending = handled(Answers.unexpected(), other)
    }
    if (!Effect.isEffect(pending)) return reply(pending)
    return pending.pipe(
      Effect.catchAllDefect(() => Effect.succeed(handled(Answers.unexpected(), other))),
      Effect.map(reply),
      // A client that goes away before its answer: counted and logged all the same.
      Effect.onInterrupt(() => Effect.sync(() => finish(clientClosed, other)))
    )
  }
}
