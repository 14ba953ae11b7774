/**
 * The public port's dispatcher in-process, built from the proxy's layers with a fake core
 * client: what each request is answered and logged, without a process or a socket.
 */
import { RateLimiter } from "@effect/experimental"
import { describe, expect, it } from "@effect/vitest"
import { FileBatchClient, FileBatchError } from "@filebatch/core"
import { sha256 } from "@filebatch/testkit"
import { Context, Deferred, Duration, Effect, Exit, Fiber, Layer } from "effect"
import { AuditTrail, none } from "../src/audit/AuditTrail.js"
import { ClientKeys, makeKeyring } from "../src/config/ClientKeys.js"
import { ProxyConfig, type ProxySettings } from "../src/config/ProxyConfig.js"
import { makeApiHandler } from "../src/http/apiRoute.js"
import * as AuditCalls from "../src/http/auditCall.js"
import { makeDispatcher } from "../src/http/dispatch.js"
import { DocsAssets } from "../src/http/docs.js"
import { makeOwnHandlers } from "../src/http/ownRoutes.js"
import type { ProxyRequest } from "../src/http/request.js"
import { makeRouter } from "../src/http/router.js"
import { RequestLog } from "../src/ops/AccessLogger.js"
import * as Metrics from "../src/ops/Metrics.js"
import * as ServerState from "../src/ops/ServerState.js"
import { SpanExport } from "../src/ops/spans.js"
import { inProcess, SharedState } from "../src/shared/SharedState.js"
import * as UpstreamGate from "../src/upstream/gate.js"
import * as KeyRateLimit from "../src/upstream/keyRateLimit.js"
import * as Upstream from "../src/upstream/Upstream.js"

const clientKey = "sk-in-process-client-1"
const docsAssets = { script: () => "/* ui */", styles: () => "/* css */" }

const settings: ProxySettings = {
  host: "127.0.0.1",
  port: 0,
  keyring: makeKeyring([{ name: "team", sha256: sha256(clientKey), vectorStores: "*" }]),
  keysFile: undefined,
  adminPort: undefined,
  rateLimit: undefined,
  rateLimitWindow: Duration.seconds(1),
  maxUpstreamConcurrency: 4,
  maxQueue: 4,
  maxBodyBytes: 1024,
  maxHeaderBytes: 16 * 1024,
  headersTimeout: Duration.seconds(10),
  requestTimeout: Duration.minutes(1),
  drainDelay: Duration.zero,
  shutdownGrace: Duration.seconds(1)
}

const batchText = (batchId: string) =>
  `{"id":"${batchId}","object":"vector_store.files_batch","created_at":1,"vector_store_id":"vs_1","status":"cancelled",` +
  `"file_counts":{"in_progress":0,"completed":1,"failed":0,"cancelled":1,"total":2}}`

/** A core client whose every call is `answer`, counting its calls. */
const fakeClient = (
  answer: (
    ref: { batchId: string }
  ) => Effect.Effect<FileBatchClient.OperationResponse<unknown>, FileBatchError.FileBatchError>
) => {
  const calls: Array<string> = []
  const execute = (
    operation: { readonly name: string },
    { ref }: { readonly ref: { readonly vectorStoreId: string; readonly batchId?: string } },
    options?: FileBatchClient.RequestOptions
  ) =>
    Effect.suspend(() => {
      calls.push(`${operation.name} ${ref.vectorStoreId} ${ref.batchId}`)
      options?.onAttempt?.()
      return answer({ batchId: ref.batchId ?? "" })
    })
  return { calls, client: { execute } as unknown as FileBatchClient.FileBatchClientService }
}

const ok = (ref: { batchId: string }) =>
  Effect.succeed({
    value: {},
    json: {},
    text: batchText(ref.batchId),
    requestId: "req_up_1",
    pollAfterMillis: undefined,
    attempts: 1
  })

const setup = (client: FileBatchClient.FileBatchClientService) =>
  Effect.gen(function*() {
    const lines: Array<Record<string, unknown>> = []
    const services = Layer.mergeAll(Upstream.layer, AuditCalls.layer).pipe(
      Layer.provideMerge(KeyRateLimit.layer),
      Layer.provideMerge(Metrics.layer),
      Layer.provideMerge(UpstreamGate.layer),
      Layer.provideMerge(ServerState.layer),
      Layer.provideMerge(Layer.mergeAll(
        Layer.succeed(ProxyConfig, settings),
        Layer.succeed(ClientKeys, settings.keyring),
        Layer.succeed(FileBatchClient.FileBatchClient, client),
        Layer.succeed(SharedState, inProcess),
        Layer.succeed(AuditTrail, none),
        Layer.succeed(SpanExport, { on: false }),
        Layer.succeed(RequestLog, { write: (fields) => void lines.push(fields), healthChecks: false }),
        Layer.succeed(DocsAssets, docsAssets),
        RateLimiter.layer.pipe(Layer.provide(RateLimiter.layerStoreMemory))
      ))
    )
    const context = yield* Layer.build(services)
    const { handle } = yield* Effect.gen(function*() {
      const router = yield* makeRouter("public", yield* makeOwnHandlers, yield* makeApiHandler)
      return yield* makeDispatcher("public", router)
    }).pipe(Effect.provide(context))
    return {
      app: handle,
      lines,
      state: Context.get(context, ServerState.ServerState),
      metrics: Context.get(context, Metrics.Metrics)
    }
  })

const request = (method: string, url: string, headers: Record<string, string> = {}): ProxyRequest => ({
  method,
  url,
  headers: { authorization: `Bearer ${clientKey}`, ...headers },
  bodyWithin: () => Effect.succeed("")
})

describe("makeApp in-process", () => {
  it.scoped("answers what needs no waiting synchronously, and logs every request once", () =>
    Effect.gen(function*() {
      const { calls, client } = fakeClient(ok)
      const { app, lines } = yield* setup(client)
      // Decided without waiting: an Exit, written without a fiber.
      const health = app(request("GET", "/healthz"))
      expect(Exit.isExit(health) && Exit.isSuccess(health) && health.value).toMatchObject({
        status: 200,
        body: "{\"status\":\"ok\"}"
      })
      // A swapped pair is refused before anything is spent, synchronously.
      const swappedExit = app(request("GET", "/v1/vector_stores/vsfb_1/file_batches/vs_1"))
      expect(Exit.isExit(swappedExit)).toBe(true)
      const swapped = yield* swappedExit
      expect(swapped.status).toBe(400)
      expect(JSON.parse(swapped.body).error).toMatchObject({ param: "vector_store_id" })
      expect(calls).toEqual([])
      // Health checks are counted, not logged at info: they come every few seconds.
      expect(lines.map((line) => [line["route"], line["status"]])).toEqual([["retrieve", 400]])
    }))

  it.scoped("forwards through core and logs what happened upstream, from the values returned", () =>
    Effect.gen(function*() {
      const { calls, client } = fakeClient(ok)
      const { app, lines } = yield* setup(client)
      const reply = yield* (app(request("POST", "/v1/vector_stores/vs_1/file_batches/vsfb_9/cancel")))
      expect(reply.status).toBe(200)
      expect(reply.body).toBe(batchText("vsfb_9"))
      expect(reply.headers["openai-request-id"]).toBe("req_up_1")
      expect(calls).toEqual(["cancel vs_1 vsfb_9"])
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatchObject({
        route: "cancel",
        status: 200,
        key: "team",
        vector_store_id: "vs_1",
        batch_id: "vsfb_9",
        upstream_attempts: 1,
        coalesced: false,
        upstream_request_id: "req_up_1"
      })
      const missing = yield* (app(request("GET", "/v1/vector_stores/vs_1/file_batches/vsfb_9", {
        authorization: "Bearer sk-nobody"
      })))
      expect(missing.status).toBe(401)
      expect(calls).toHaveLength(1)
    }))

  it.scoped("a request whose client goes away is counted out and logged as 499 client_closed", () =>
    Effect.gen(function*() {
      const started = yield* Deferred.make<void>()
      const { client } = fakeClient(() => Effect.zipRight(Deferred.succeed(started, undefined), Effect.never))
      const { app, lines, metrics, state } = yield* setup(client)
      const fiber = yield* Effect.fork(app(request("GET", "/v1/vector_stores/vs_1/file_batches/vsfb_2")))
      yield* Deferred.await(started)
      expect(state.inFlight()).toBe(1)
      yield* Fiber.interrupt(fiber)
      expect(state.inFlight()).toBe(0)
      expect(lines).toEqual([expect.objectContaining({
        route: "retrieve",
        status: 499,
        outcome: "client_closed",
        key: "team",
        batch_id: "vsfb_2"
      })])
      expect(yield* Effect.promise(() => metrics.registry.metrics())).toMatch(
        /filebatch_proxy_requests_total\{route="retrieve",status="499"\} 1/
      )
    }))

  it.scoped("an upstream error comes back in OpenAI's shape, with the upstream's request id logged", () =>
    Effect.gen(function*() {
      const { client } = fakeClient(() =>
        Effect.fail(new FileBatchError.NotFoundError({ status: 404, message: "No batch.", requestId: "req_up_404" }))
      )
      const { app, lines } = yield* setup(client)
      const reply = yield* (app(request("GET", "/v1/vector_stores/vs_1/file_batches/vsfb_3")))
      expect(reply.status).toBe(404)
      expect(JSON.parse(reply.body).error.message).toBe("No batch.")
      expect(lines[0]).toMatchObject({ status: 404, upstream_request_id: "req_up_404", upstream_attempts: 1 })
    }))
})
