/**
 * The request path: route, validate, authenticate, then hand over to `Upstream.ts`
 * (rate limit, coalescing, bound, the call through core); answer in OpenAI's shape, log
 * and count. Nothing reaches the upstream before the IDs, the key and its scope have
 * been checked.
 */
import type { RateLimiter } from "@effect/experimental"
import { FileBatchApi, type FileBatchClient, PathTemplate } from "@filebatch/core"
import { Effect, Either } from "effect"
import * as Answers from "../answers.js"
import type { ProxySettings } from "../config/ProxyConfig.js"
import type { Metrics } from "../ops/Metrics.js"
import type { SharedStateService } from "../shared/SharedState.js"
import type { Gate } from "../upstream/gate.js"
import { makeUpstream } from "../upstream/Upstream.js"
import { accessLine, clientClosed, type RequestFacts } from "./accessLine.js"
import { type DocsAssets, docsRoutes } from "./docs.js"
import { payloadOf, queryOf } from "./input.js"
import { refOf, requestIdFrom } from "./params.js"
import { openApiDocument } from "./ProxyApi.js"
import { readiness } from "./readiness.js"
import { bearer, headerOf, type NowOrLater, type ProxyRequest, thenNowOrLater } from "./request.js"

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
}

/** The API's routes, from core's table of operations: one entry there is one route here. */
const matchApi = PathTemplate.router(FileBatchApi.operations, "/v1")

type ApiMatch = NonNullable<ReturnType<typeof matchApi>>

/** A request as the app handles it; `closed` logs it with what is known if its client goes away first. */
interface Incoming {
  readonly request: ProxyRequest
  /** The path without its query. */
  readonly path: string
  readonly requestId: string
  readonly closed: (facts: RequestFacts) => void
}

/** An answer to write, with its content type when not JSON. */
type Answer = Answers.Answer & { readonly contentType?: string }

/** What handling a request came to: the answer, and the facts for its log line. */
interface Handled {
  readonly answer: Answer
  readonly facts: RequestFacts
}

const handled = (answer: Answer, facts: RequestFacts): Handled => ({ answer, facts })

// RequestFacts of the routes that learn nothing while they are handled, made once.
const factsOf = (route: string): RequestFacts => ({ route })
const other = factsOf("other")
const routeFacts: Record<string, RequestFacts> = Object.fromEntries(
  ["healthz", "readyz", "metrics", "openapi", "docs"].map((route) => [route, factsOf(route)])
)

/**
 * The proxy as a function of a request. Requests that need no waiting (health, docs,
 * every rejection) are answered synchronously; only an upstream call, a body read or a
 * rate-limit check is an Effect, run in its own fiber by the server.
 */
export const makeApp = (deps: ProxyDeps): (request: ProxyRequest) => NowOrLater<ProxyReply> => {
  const { accessLog, logHealthChecks, metrics, settings, state } = deps
  const { forward } = makeUpstream(deps)
  // Built on the first request for it: most proxies are never asked, and it is work at start-up.
  let openApiJson: string | undefined
  const docs = docsRoutes(deps.docsAssets)

  /** Everything after routing: IDs, method, query, body, key, scope, then upstream. */
  const handleApi = ({ closed, request, requestId }: Incoming, match: ApiMatch): NowOrLater<Handled> => {
    const operation = match._tag === "Operation" ? match.operation : undefined
    const route = operation?.name ?? "other"
    // The IDs are checked once, completely (characters, length, prefixes, a swapped
    // pair), before anything is spent on the request.
    const ref = refOf(match.raw, operation)
    if ("status" in ref) return handled(ref, { route })
    const facts: RequestFacts = { route, vectorStoreId: ref.vectorStoreId, batchId: ref.batchId }
    if (operation === undefined) {
      const allowed = match._tag === "WrongMethod" ? match.allowed.join(", ") : ""
      return handled(Answers.wrongMethod(request.method, request.url.split("?")[0], allowed), facts)
    }
    const query = operation.query === undefined ? Either.right(undefined) : queryOf(operation.query, request.url)
    if (Either.isLeft(query)) return handled(query.left, facts)

    const length = Number(headerOf(request, "content-length") ?? "0")
    if (!Number.isFinite(length) || length > settings.maxBodyBytes) {
      return handled(Answers.bodyTooLarge(settings.maxBodyBytes), facts)
    }
    // A body is read when the operation takes one, or when its length is unknown (chunked).
    const bodyRead: NowOrLater<string | undefined> =
      operation.payload !== undefined || request.headers["transfer-encoding"] !== undefined
        ? request.bodyWithin(settings.maxBodyBytes)
        : ""

    return thenNowOrLater(bodyRead, (body): NowOrLater<Handled> => {
      if (body === undefined) return handled(Answers.bodyTooLarge(settings.maxBodyBytes), facts)
      const presented = bearer(headerOf(request, "authorization"))
      if (presented === undefined) return handled(Answers.missingKey(), facts)
      const key = settings.keyring.find(presented)
      if (key === undefined) return handled(Answers.unknownKey(presented), facts)
      const authorised: RequestFacts = { ...facts, key: key.name }
      if (!key.allows(ref.vectorStoreId)) return handled(Answers.forbiddenStore(ref.vectorStoreId), authorised)
      const payload = operation.payload === undefined ? Either.right(undefined) : payloadOf(operation.payload, body)
      if (Either.isLeft(payload)) return handled(payload.left, authorised)
      const input = { ref, query: query.right, payload: payload.right }
      return forward(key.name, { operation, input }, requestId).pipe(
        Effect.map((forwarded) => handled(forwarded.answer, { ...authorised, forwarded })),
        Effect.onInterrupt(() => Effect.sync(() => closed(authorised)))
      )
    })
  }

  const json = (status: number, body: unknown) => ({ status, body: JSON.stringify(body), headers: {} })

  /** Routes the request. */
  const route = (incoming: Incoming): NowOrLater<Handled> => {
    const { path, request } = incoming
    const method = request.method
    const api = matchApi(method, path)
    if (api !== undefined) return handleApi(incoming, api)
    const get = method === "GET" || method === "HEAD"
    switch (path) {
      case "/healthz":
        return handled(get ? json(200, { status: "ok" }) : Answers.wrongMethod(method, path, "GET"), routeFacts.healthz)
      case "/readyz":
        return handled(
          !get
            ? Answers.wrongMethod(method, path, "GET")
            : readiness(state, deps.sharedState.redis),
          routeFacts.readyz
        )
      case "/metrics":
        // With an admin port, metrics are served there only, not to clients.
        if (settings.adminPort !== undefined) return handled(Answers.invalidUrl(method, path), other)
        if (!get) return handled(Answers.wrongMethod(method, path, "GET"), routeFacts.metrics)
        return Effect.map(
          Effect.promise(() => metrics.scrape()),
          (text) =>
            handled(
              { status: 200, body: text, headers: {}, contentType: metrics.registry.contentType },
              routeFacts.metrics
            )
        )
      case "/openapi.json":
        return handled(
          get
            ? { status: 200, body: (openApiJson ??= JSON.stringify(openApiDocument())), headers: {} }
            : Answers.wrongMethod(method, path, "GET"),
          routeFacts.openapi
        )
      default: {
        const doc = docs.get(path)
        if (doc === undefined) return handled(Answers.invalidUrl(method, path), other)
        return handled(get ? doc() : Answers.wrongMethod(method, path, "GET"), routeFacts.docs)
      }
    }
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
