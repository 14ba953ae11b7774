/**
 * The request path: route, validate, authenticate, then hand over to `Upstream.ts`
 * (rate limit, coalescing, bound, the call through core); answer in OpenAI's shape, log
 * and count. Nothing reaches the upstream before the IDs, the key and its scope have
 * been checked.
 */
import type { RateLimiter } from "@effect/experimental"
import { FileBatchApi, type FileBatchClient } from "@filebatch/core"
import { Effect } from "effect"
import * as Answers from "./internal/answers.js"
import type { Gate } from "./internal/gate.js"
import { checkRef, requestIdFrom } from "./internal/ids.js"
import type { Metrics } from "./Metrics.js"
import { docsPage, openApiDocument } from "./ProxyApi.js"
import type { ProxySettings } from "./ProxyConfig.js"
import { type LogFields, makeUpstream } from "./Upstream.js"

/** What the proxy reads of a request; `bodyWithin` reads the body, false when it is over `maxBytes` or broken. */
export interface ProxyRequest {
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  readonly bodyWithin: (maxBytes: number) => Effect.Effect<boolean>
}

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
  readonly metrics: Metrics
  readonly gate: Gate
  readonly state: ProxyState
  /** Writes the access log line of a request; `undefined` when the log level hides it. */
  readonly accessLog: ((fields: Readonly<Record<string, unknown>>) => void) | undefined
}

/** The API's routes, from core's table of operations: one entry there is one route here. */
const matchApi = FileBatchApi.router(FileBatchApi.operations, "/v1")

type ApiMatch = NonNullable<ReturnType<typeof matchApi>>

/** A header's value; the first one when it was sent several times. */
const headerOf = (request: ProxyRequest, name: string): string | undefined => {
  const value = request.headers[name]
  return typeof value === "string" ? value : value?.[0]
}

const bearer = (header: string | undefined): string | undefined => header?.match(/^Bearer\s+(\S+)\s*$/i)?.[1]

/** An answer known at once, or the Effect that finds it (only for work that must wait). */
type Pending<A> = A | Effect.Effect<A>

const andThen = <A, B>(pending: Pending<A>, f: (a: A) => Pending<B>): Pending<B> =>
  Effect.isEffect(pending) ?
    Effect.flatMap(pending, (a) => {
      const next = f(a)
      return Effect.isEffect(next) ? next : Effect.succeed(next)
    }) :
    f(pending)

/**
 * The proxy as a function of a request. Requests that need no waiting (health, docs,
 * every rejection) are answered synchronously; only an upstream call, a body read or a
 * rate-limit check is an Effect, run in its own fiber by the server.
 */
export const makeApp = (deps: ProxyDeps): (request: ProxyRequest) => Pending<ProxyReply> => {
  const { accessLog, metrics, settings, state } = deps
  const { limited } = makeUpstream(deps)
  const openApiJson = JSON.stringify(openApiDocument())

  /** Everything after routing: IDs, method, body, key, scope, then upstream. */
  const handleApi = (
    request: ProxyRequest,
    match: ApiMatch,
    requestId: string,
    log: LogFields
  ): Pending<Answers.Answer> => {
    // The IDs are checked once, completely (characters, length, prefixes, a swapped
    // pair), before anything is spent on the request.
    const ref = checkRef(match.rawVectorStoreId, match.rawBatchId)
    if ("status" in ref) return ref
    log.vectorStoreId = ref.vectorStoreId
    log.batchId = ref.batchId
    if (match._tag === "WrongMethod") {
      return Answers.wrongMethod(request.method, request.url.split("?")[0], match.allowed.join(", "))
    }

    const length = Number(headerOf(request, "content-length") ?? "0")
    if (!Number.isFinite(length) || length > settings.maxBodyBytes) return Answers.bodyTooLarge(settings.maxBodyBytes)
    const bodyRead: Pending<boolean> = request.headers["transfer-encoding"] !== undefined
      ? request.bodyWithin(settings.maxBodyBytes)
      : true

    return andThen(bodyRead, (withinLimit): Pending<Answers.Answer> => {
      if (!withinLimit) return Answers.bodyTooLarge(settings.maxBodyBytes)
      const presented = bearer(headerOf(request, "authorization"))
      if (presented === undefined) return Answers.missingKey()
      const key = settings.keyring.find(presented)
      if (key === undefined) return Answers.unknownKey(presented)
      log.key = key.name
      if (!key.allows(ref.vectorStoreId)) return Answers.forbiddenStore(ref.vectorStoreId)
      return limited(key.name, match.name, ref, requestId, log)
    })
  }

  const json = (status: number, body: unknown) => ({ status, body: JSON.stringify(body), headers: {} })

  /** Routes the request; `log` says what the access log line should. */
  const route = (request: ProxyRequest, path: string, requestId: string, log: LogFields): Pending<Answer> => {
    const method = request.method
    const api = matchApi(method, path)
    if (api !== undefined) {
      log.route = api._tag === "Operation" ? api.name : "other"
      return handleApi(request, api, requestId, log)
    }
    const get = method === "GET" || method === "HEAD"
    switch (path) {
      case "/healthz":
        log.route = "healthz"
        return get ? json(200, { status: "ok" }) : Answers.wrongMethod(method, path, "GET")
      case "/readyz":
        log.route = "readyz"
        if (!get) return Answers.wrongMethod(method, path, "GET")
        return state.draining ? json(503, { status: "draining" }) : json(200, { status: "ready" })
      case "/metrics":
        log.route = "metrics"
        if (!get) return Answers.wrongMethod(method, path, "GET")
        return Effect.map(
          Effect.promise(() => metrics.registry.metrics()),
          (text) => ({ status: 200, body: text, headers: {}, contentType: metrics.registry.contentType })
        )
      case "/openapi.json":
        log.route = "openapi"
        return get ? { status: 200, body: openApiJson, headers: {} } : Answers.wrongMethod(method, path, "GET")
      case "/docs":
        log.route = "docs"
        return get
          ? { status: 200, body: docsPage, headers: {}, contentType: "text/html; charset=utf-8" }
          : Answers.wrongMethod(method, path, "GET")
      default:
        return Answers.invalidUrl(method, path)
    }
  }

  return (request: ProxyRequest): Pending<ProxyReply> => {
    const started = performance.now()
    const requestId = requestIdFrom(headerOf(request, "x-request-id"))
    const rawUrl = request.url
    const queryAt = rawUrl.indexOf("?")
    const path = queryAt >= 0 ? rawUrl.slice(0, queryAt) : rawUrl
    const method = request.method
    state.inFlight += 1
    const log: LogFields = { route: "other" }
    let counted = true
    const uncount = () => {
      if (!counted) return
      counted = false
      state.inFlight -= 1
      if (state.draining && state.inFlight === 0) state.onDrained()
    }

    const reply = (answer: Answer): ProxyReply => {
      uncount()
      const latencyMs = performance.now() - started
      metrics.answered(log.route, answer.status, latencyMs / 1000)
      if (accessLog !== undefined) {
        const fields: Record<string, unknown> = {
          request_id: requestId,
          method,
          path: log.route === "other" ? path.slice(0, 200) : path,
          route: log.route,
          status: answer.status,
          latency_ms: Math.round(latencyMs * 100) / 100
        }
        if (log.key !== undefined) fields["key"] = log.key
        if (log.vectorStoreId !== undefined) fields["vector_store_id"] = log.vectorStoreId
        if (log.batchId !== undefined) fields["batch_id"] = log.batchId
        if (log.attempts !== undefined) fields["upstream_attempts"] = log.attempts
        if (log.coalesced !== undefined) fields["coalesced"] = log.coalesced
        if (log.upstreamRequestId !== undefined) fields["upstream_request_id"] = log.upstreamRequestId
        accessLog(fields)
      }
      const headers: Record<string, string> = { ...answer.headers, "x-request-id": requestId }
      if (state.draining) headers["connection"] = "close"
      return {
        status: answer.status,
        headers,
        body: method === "HEAD" ? "" : answer.body,
        contentType: answer.contentType ?? "application/json"
      }
    }

    let answer: Pending<Answer>
    try {
      answer = route(request, path, requestId, log)
    } catch {
      answer = Answers.unexpected()
    }
    if (!Effect.isEffect(answer)) return reply(answer)
    return answer.pipe(
      Effect.catchAllDefect(() => Effect.succeed(Answers.unexpected())),
      Effect.map(reply),
      // Counted down however the request ends, a client that goes away included.
      Effect.onInterrupt(() => Effect.sync(uncount))
    )
  }
}

type Answer = Answers.Answer & { readonly contentType?: string }
