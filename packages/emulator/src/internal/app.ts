import { HttpServerRequest, HttpServerResponse } from "@effect/platform"
import type { PathTemplate } from "@filebatch/core"
import { Clock, Duration, Effect, Either } from "effect"
import type { Fault } from "../Fault.js"
import { redactHeaders, type RequestLogEntry } from "../RequestLog.js"
import { adminApp } from "./admin.js"
import * as Errors from "./apiError.js"
import type { ApiError } from "./apiError.js"
import { resetConnection, spoil, statusFault, truncated } from "./faultAnswers.js"
import { newRequestId } from "./ids.js"
import { isTerminalStatus } from "./lifecycle.js"
import { fileIdsOf, readJsonBody } from "./requestBody.js"
import { bearer, checkId, type RouteName, routeOf } from "./routes.js"
import type { AppState } from "./state.js"

/** The request log's entry of a request, completed as it is answered. */
const logEntry = (
  request: HttpServerRequest.HttpServerRequest,
  started: number,
  requestId: string,
  operation: RequestLogEntry["operation"]
): RequestLogEntry => ({
  time: new Date(started).toISOString(),
  method: request.method,
  path: request.url,
  operation,
  vectorStoreId: undefined,
  batchId: undefined,
  requestId,
  headers: redactHeaders(request.headers),
  status: "pending",
  fault: undefined
})

/** The IDs a request's path names, each checked. */
interface Ids {
  readonly vectorStoreId: string | undefined
  readonly batchId: string | undefined
  readonly fileId: string | undefined
}

/** The caller's key, and the path's IDs, each checked as OpenAI checks them. */
const callerOf = (
  state: AppState,
  request: HttpServerRequest.HttpServerRequest,
  raw: Readonly<Partial<Record<PathTemplate.PathParam, string>>>
): Either.Either<{ readonly key: string; readonly ids: Ids }, ApiError> => {
  const key = bearer(request.headers["authorization"])
  if (key === undefined) return Either.left(Errors.missingKey)
  if (!state.settings.keys.includes(key)) return Either.left(Errors.wrongKey(key))
  const checked = (param: PathTemplate.PathParam) =>
    raw[param] === undefined ? Either.right(undefined) : checkId(param, raw[param])
  return Either.map(
    Either.all({ vectorStoreId: checked("vector_store_id"), batchId: checked("batch_id"), fileId: checked("file_id") }),
    (ids) => ({ key, ids })
  )
}

/** OpenAI's hint of when to ask again, on a batch that has not stopped. */
const pollHint = (state: AppState, operation: string, json: Record<string, unknown>): Record<string, string> =>
  (operation === "retrieve" || operation === "cancel") && state.settings.pollAfterMillis > 0 &&
    !isTerminalStatus(String(json["status"]))
    ? { "openai-poll-after-ms": String(state.settings.pollAfterMillis) }
    : {}

/** A fault that spoils the answer once the operation has been performed. */
const spoiledAfter = <A extends { readonly headers: Record<string, string> }>(
  request: HttpServerRequest.HttpServerRequest,
  entry: RequestLogEntry,
  fault: Fault,
  answered: A,
  json: Record<string, unknown>
) => {
  switch (fault.kind) {
    case "truncate":
      entry.status = "reset"
      return truncated(request, JSON.stringify(json), answered.headers)
    case "content-type":
      return Effect.succeed({ ...answered, contentType: fault.contentType ?? "text/plain" })
    case "non-json":
      return Effect.succeed({ ...answered, body: spoil(fault, json), contentType: "text/html" })
    default:
      return Effect.succeed({ ...answered, body: spoil(fault, json) })
  }
}

export const makeApp = (state: AppState) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const started = yield* Clock.currentTimeMillis
    const rawUrl = request.url
    const queryAt = rawUrl.indexOf("?")
    const path = queryAt >= 0 ? rawUrl.slice(0, queryAt) : rawUrl
    if (state.settings.admin && path.startsWith("/__emulator/")) return yield* adminApp(state, request, path)

    const requestId = newRequestId()
    const baseHeaders: Record<string, string> = { "x-request-id": requestId, "openai-version": "2020-10-01" }
    const route = routeOf(request.method, path)
    const shape = route?._tag === "Operation" ? route : undefined
    const entry = logEntry(request, started, requestId, shape?.operation)
    state.log.push(entry)

    const respond = (status: number, body: unknown, extra: Record<string, string> = {}) =>
      Effect.map(Clock.currentTimeMillis, (now) => {
        entry.status = status
        return { status, body, headers: { ...baseHeaders, "openai-processing-ms": String(now - started), ...extra } }
      })
    const fail = (error: ApiError, extra: Record<string, string> = {}) =>
      respond(error.status, Errors.errorBody(error), extra)

    const answer = yield* Effect.gen(function*() {
      if (route === undefined) return yield* fail(Errors.invalidUrl(request.method, path))
      if (route._tag === "WrongMethod") {
        return yield* fail(Errors.wrongMethod(request.method, path), { allow: route.allowed.join(", ") })
      }

      const caller = callerOf(state, request, route.raw)
      if (Either.isLeft(caller)) return yield* fail(caller.left)
      const { ids, key } = caller.right
      const { batchId, vectorStoreId } = ids
      Object.assign(entry, { vectorStoreId, batchId, ...(ids.fileId !== undefined ? { fileId: ids.fileId } : {}) })

      let rateHeaders: Record<string, string> = {}
      if (state.limiter !== undefined) {
        const limited = state.limiter.admit(key, yield* Clock.currentTimeMillis)
        if (limited.refused !== undefined) return yield* fail(limited.refused, limited.headers)
        rateHeaders = limited.headers
      }

      const matched = state.faults.take(route.operation, vectorStoreId, batchId)
      if (matched !== undefined) {
        entry.fault = matched.fault.kind
        if (matched.held) yield* state.held.wait
        if (matched.delayMillis > 0) yield* Effect.sleep(Duration.millis(matched.delayMillis))
        const fault = matched.fault
        switch (fault.kind) {
          case "latency":
            yield* Effect.sleep(Duration.millis(fault.millis))
            break
          case "hold":
            yield* state.held.wait
            break
          case "hang":
            return yield* Effect.never
          case "reset":
            entry.status = "reset"
            return yield* resetConnection(request)
          case "status": {
            const { error, headers } = statusFault(fault)
            return yield* fail(error, { ...rateHeaders, ...headers })
          }
        }
      }

      const result = yield* Effect.either(performs[route.name](state, request, ids))
      if (Either.isLeft(result)) return yield* fail(result.left, rateHeaders)
      const answered = yield* respond(200, result.right, {
        ...rateHeaders,
        ...pollHint(state, route.operation, result.right)
      })
      return matched === undefined
        ? answered
        : yield* spoiledAfter(request, entry, matched.fault, answered, result.right)
    })

    const { body, headers, status } = answer
    const contentType = "contentType" in answer ? answer.contentType as string : "application/json"
    return HttpServerResponse.text(typeof body === "string" ? body : JSON.stringify(body), {
      status,
      headers,
      contentType
    })
  })

type Perform = (
  state: AppState,
  request: HttpServerRequest.HttpServerRequest,
  ids: Ids
) => Effect.Effect<Record<string, unknown>, ApiError>

/** The list query of a request, as text. */
const listQuery = (request: HttpServerRequest.HttpServerRequest) => {
  const query = new URL(request.url, "http://emulator").searchParams
  const get = (name: string) => query.get(name) ?? undefined
  return { limit: get("limit"), order: get("order"), after: get("after"), before: get("before"), filter: get("filter") }
}

/**
 * What each route does here: one entry per operation of core's table (a new operation does not
 * compile until it has one), and the emulator's own seeding of a vector store. The route's IDs
 * were checked before: the operations that name them have them.
 */
const performs: Readonly<Record<RouteName, Perform>> = {
  createVectorStore: (state, request) =>
    readJsonBody(request).pipe(
      Effect.flatMap((body) => {
        const name = typeof body === "object" && body !== null ? (body as Record<string, unknown>)["name"] : undefined
        return state.store.createVectorStore(typeof name === "string" ? name : undefined)
      })
    ),
  createFileBatch: (state, request, ids) =>
    readJsonBody(request).pipe(
      Effect.flatMap((body) => fileIdsOf(body)),
      Effect.flatMap((fileIds) => state.store.createBatch(ids.vectorStoreId!, fileIds))
    ),
  retrieve: (state, _request, ids) => state.store.retrieveBatch(ids.vectorStoreId!, ids.batchId!),
  cancel: (state, _request, ids) => state.store.cancelBatch(ids.vectorStoreId!, ids.batchId!),
  listFiles: (state, request, ids) => state.store.listFiles(ids.vectorStoreId!, ids.batchId!, listQuery(request)),
  listVectorStoreFiles: (state, request, ids) => state.store.listStoreFiles(ids.vectorStoreId!, listQuery(request)),
  deleteVectorStoreFile: (state, _request, ids) => state.store.detachFile(ids.vectorStoreId!, ids.fileId!),
  deleteFile: (state, _request, ids) => state.store.deleteFile(ids.fileId!)
}
