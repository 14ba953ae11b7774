/**
 * A lean `HttpClient` over undici's dispatcher, for `@filebatch/core`: each answer is
 * read whole (up to a bound) before it is handed over.
 *
 * Core only ever sends small requests and reads small JSON answers whole, so the
 * general-purpose client's per-request machinery (an `AbortController`, a `URL`, a
 * finalizer registration, a streamed body behind a cached promise) was most of its cost
 * (the figures: docs/benchmarks.md). It keeps interruption (it aborts the request), transport
 * errors as `RequestError`, a connection lost mid-answer as `ResponseError`, and bounds
 * the body. Request bodies must be empty, bytes or a string.
 *
 * @since 0.1.0
 */
import {
  Cookies,
  Headers,
  HttpClient,
  HttpClientError,
  type HttpClientRequest,
  HttpClientResponse,
  HttpIncomingMessage,
  UrlParams
} from "@effect/platform"
import * as AttemptLimit from "@filebatch/core/AttemptLimit"
import { Effect, Inspectable, Layer, Option, Stream } from "effect"
import type { Agent as AgentType, Dispatcher } from "undici"
// The Agent's own module, not undici's index: the index loads fetch, WebSocket, caches and
// mocks too, ~10 MiB of memory at start-up that a dispatcher does not use (measured).
import Agent from "undici/lib/dispatcher/agent.js"

/** An answer read whole. */
class BufferedResponse extends Inspectable.Class implements HttpClientResponse.HttpClientResponse {
  readonly [HttpIncomingMessage.TypeId]: HttpIncomingMessage.TypeId = HttpIncomingMessage.TypeId
  readonly [HttpClientResponse.TypeId]: HttpClientResponse.TypeId = HttpClientResponse.TypeId
  readonly remoteAddress = Option.none<string>()
  private decoded: string | undefined

  constructor(
    readonly request: HttpClientRequest.HttpClientRequest,
    readonly status: number,
    readonly headers: Headers.Headers,
    private readonly body: Buffer
  ) {
    super()
  }

  private decodeError(cause: unknown) {
    return new HttpClientError.ResponseError({ request: this.request, response: this, reason: "Decode", cause })
  }

  get text(): Effect.Effect<string, HttpClientError.ResponseError> {
    return Effect.sync(() => (this.decoded ??= this.body.toString("utf8")))
  }

  get json(): Effect.Effect<unknown, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({
        try: () => (text === "" ? null : JSON.parse(text) as unknown),
        catch: (cause) => this.decodeError(cause)
      }))
  }

  get arrayBuffer(): Effect.Effect<ArrayBuffer, HttpClientError.ResponseError> {
    return Effect.sync(() =>
      this.body.buffer.slice(this.body.byteOffset, this.body.byteOffset + this.body.byteLength) as ArrayBuffer
    )
  }

  get stream(): Stream.Stream<Uint8Array, HttpClientError.ResponseError> {
    return Stream.succeed(new Uint8Array(this.body))
  }

  get urlParamsBody(): Effect.Effect<UrlParams.UrlParams, HttpClientError.ResponseError> {
    return Effect.flatMap(this.text, (text) =>
      Effect.try({
        try: () => UrlParams.fromInput(new URLSearchParams(text)),
        catch: (cause) => this.decodeError(cause)
      }))
  }

  get formData(): Effect.Effect<FormData, HttpClientError.ResponseError> {
    return Effect.fail(this.decodeError(new Error("form data answers are not supported")))
  }

  get cookies(): Cookies.Cookies {
    const header = this.headers["set-cookie"]
    return header === undefined ? Cookies.empty : Cookies.fromSetCookie(header)
  }

  toJSON(): unknown {
    return { _id: "@effect/platform/HttpClientResponse", status: this.status, headers: this.headers }
  }
}

const bodyOf = (request: HttpClientRequest.HttpClientRequest): string | Uint8Array | null | undefined => {
  const body = request.body
  switch (body._tag) {
    case "Empty":
      return null
    case "Uint8Array":
      return body.body
    case "Raw":
      return typeof body.body === "string" || body.body instanceof Uint8Array ? body.body : undefined
    default:
      return undefined
  }
}

type FailRequest = (
  reason: "Transport" | "Encode" | "InvalidUrl",
  cause: unknown
) => Effect.Effect<never, HttpClientError.HttpClientError>

/**
 * One request through undici, its answer buffered up to `maxResponseBytes`; `limit` is core's
 * limit for this attempt, enforced here rather than by a fiber of core's.
 */
const send = (
  dispatcher: Dispatcher,
  maxResponseBytes: number,
  request: HttpClientRequest.HttpClientRequest,
  url: URL,
  body: string | Uint8Array | null,
  limit: number | undefined,
  failRequest: FailRequest
): Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError> =>
  Effect.async<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>((resume) => {
    let controller: Dispatcher.DispatchController | undefined
    let finished = false
    let status = 0
    let headers: Headers.Headers | undefined
    const chunks: Array<Buffer> = []
    let size = 0
    const timer = limit === undefined ? undefined : setTimeout(() => {
      finish(failRequest("Transport", new AttemptLimit.Reached({ millis: limit })))
      controller?.abort(new Error("attempt time limit reached"))
    }, limit)
    const finish = (
      effect: Effect.Effect<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>
    ) => {
      if (finished) return
      finished = true
      if (timer !== undefined) clearTimeout(timer)
      resume(effect)
    }
    dispatcher.dispatch({
      origin: url.origin,
      path: url.pathname + url.search,
      method: request.method as Dispatcher.HttpMethod,
      headers: request.headers,
      body
    }, {
      onRequestStart(started) {
        controller = started
        if (finished) started.abort(new Error("interrupted"))
      },
      onResponseStart(_, statusCode, responseHeaders) {
        if (statusCode < 200) return
        status = statusCode
        headers = Headers.fromInput(responseHeaders as Record<string, string | ReadonlyArray<string>>)
      },
      onResponseData(running, chunk) {
        size += chunk.length
        if (size > maxResponseBytes) {
          running.abort(new Error(`the answer is larger than ${maxResponseBytes} bytes`))
          return
        }
        chunks.push(chunk)
      },
      onResponseEnd() {
        finish(
          Effect.succeed(
            new BufferedResponse(request, status, headers ?? Headers.empty, Buffer.concat(chunks))
          )
        )
      },
      onResponseError(_, cause) {
        if (headers === undefined) {
          finish(failRequest("Transport", cause))
          return
        }
        const partial = new BufferedResponse(request, status, headers, Buffer.alloc(0))
        finish(
          Effect.fail(
            new HttpClientError.ResponseError({ request, response: partial, reason: "Decode", cause })
          )
        )
      }
    })
    return Effect.sync(() => {
      finished = true
      if (timer !== undefined) clearTimeout(timer)
      controller?.abort(new Error("interrupted"))
    })
  })

const makeWith = (dispatcher: Dispatcher, maxResponseBytes: number): HttpClient.HttpClient =>
  AttemptLimit.enforcing(HttpClient.makeWith<never, never, HttpClientError.HttpClientError, never>(
    (requestEffect) =>
      Effect.flatMap(
        requestEffect,
        (request) =>
          Effect.withFiberRuntime<HttpClientResponse.HttpClientResponse, HttpClientError.HttpClientError>((fiber) => {
            const failRequest = (reason: "Transport" | "Encode" | "InvalidUrl", cause: unknown) =>
              Effect.fail(new HttpClientError.RequestError({ request, reason, cause }))
            const body = bodyOf(request)
            if (body === undefined) return failRequest("Encode", new Error(`unsupported body: ${request.body._tag}`))
            const url = UrlParams.makeUrl(request.url, request.urlParams, request.hash)
            if (url._tag === "Left") return failRequest("InvalidUrl", url.left)
            return send(
              dispatcher,
              maxResponseBytes,
              request,
              url.right,
              body,
              fiber.getFiberRef(AttemptLimit.current),
              failRequest
            )
          })
      ),
    Effect.succeed
  ))

/**
 * Options of the client.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Answers longer than this fail as `ResponseError` (default 1 MiB). */
  readonly maxResponseBytes?: number | undefined
}

const defaultMaxResponseBytes = 1024 * 1024

/**
 * An `HttpClient` over `dispatcher` (an undici `Agent`, `Pool` or `Client`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (dispatcher: Dispatcher, options: Options = {}): HttpClient.HttpClient => {
  const maxResponseBytes = options.maxResponseBytes ?? defaultMaxResponseBytes
  return makeWith(dispatcher, maxResponseBytes)
}

/**
 * The client over a keep-alive undici `Agent` of its own, closed with the layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options & { readonly agent?: AgentType.Options | undefined } = {}) =>
  Layer.scoped(
    HttpClient.HttpClient,
    Effect.map(
      Effect.acquireRelease(
        Effect.sync(() => new Agent(options.agent)),
        (agent) => Effect.promise(() => agent.destroy())
      ),
      (agent) => make(agent, options)
    )
  )
