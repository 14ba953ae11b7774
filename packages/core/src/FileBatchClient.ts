/**
 * The file batch client: `cancel` and `retrieve` with validation, retries, timeouts
 * and typed errors. It needs an `HttpClient` and {@link FileBatchConfig}, and never
 * chooses them.
 *
 * @since 0.1.0
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import type { HttpClientError } from "@effect/platform"
import { Context, Duration, Effect, Layer, Option, Redacted } from "effect"
import type { VectorStoreFileBatch } from "./FileBatch.js"
import { FileBatchConfig, type FileBatchSettings } from "./FileBatchConfig.js"
import { ConnectionError, type FileBatchError, TimeoutError } from "./FileBatchError.js"
import { batchPath, type FileBatchRef, validateRef } from "./FileBatchId.js"
import { type Answer, interpret, scrub } from "./internal/response.js"
import { userAgent } from "./internal/version.js"
import { RetryPolicy } from "./RetryPolicy.js"

/**
 * The two operations on a batch.
 *
 * @since 0.1.0
 */
export type Operation = "cancel" | "retrieve"

/**
 * A batch with what the answer said about it.
 *
 * @since 0.1.0
 */
export interface FileBatchResponse extends Answer {
  /** HTTP attempts made, retries included. */
  readonly attempts: number
}

/**
 * Per-call options.
 *
 * @since 0.1.0
 */
export interface RequestOptions {
  /** Extra request headers, e.g. `X-Client-Request-Id`. They cannot replace authentication. */
  readonly headers?: Readonly<Record<string, string>> | undefined
}

/**
 * @since 0.1.0
 */
export interface FileBatchClientService {
  readonly settings: FileBatchSettings
  /** Asks OpenAI to cancel the batch; the answer may still be `in_progress`. */
  readonly cancel: (ref: FileBatchRef) => Effect.Effect<VectorStoreFileBatch, FileBatchError>
  /** Reads the batch. */
  readonly retrieve: (ref: FileBatchRef) => Effect.Effect<VectorStoreFileBatch, FileBatchError>
  /** Either operation, with the answer's request id, poll hint, raw JSON and attempt count. */
  readonly execute: (
    operation: Operation,
    ref: FileBatchRef,
    options?: RequestOptions
  ) => Effect.Effect<FileBatchResponse, FileBatchError>
}

/**
 * The client service.
 *
 * @since 0.1.0
 */
export class FileBatchClient extends Context.Tag("@filebatch/core/FileBatchClient")<
  FileBatchClient,
  FileBatchClientService
>() {}

const protectedHeaders = new Set(["authorization", "openai-organization", "openai-project", "host"])

const describeTransport = (error: HttpClientError.HttpClientError): string => {
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined
  const detail = typeof cause?.code === "string"
    ? cause.code
    : typeof cause?.message === "string"
    ? cause.message
    : error.reason
  return error._tag === "ResponseError"
    ? `the connection broke while reading the answer (${detail})`
    : `could not reach the server (${detail})`
}

/**
 * Builds the client from the `HttpClient` and settings in context.
 *
 * @since 0.1.0
 */
export const make: Effect.Effect<FileBatchClientService, never, HttpClient.HttpClient | FileBatchConfig> = Effect.gen(
  function*() {
    const settings = yield* FileBatchConfig
    const httpClient = yield* HttpClient.HttpClient
    const secret = Redacted.value(settings.apiKey)
    const timeoutMillis = Duration.toMillis(settings.timeout)

    const baseRequest = (operation: Operation, ref: FileBatchRef, options: RequestOptions | undefined) => {
      const path = operation === "cancel" ? `${batchPath(ref)}/cancel` : batchPath(ref)
      const extra = Object.entries(options?.headers ?? {}).filter(([name]) => !protectedHeaders.has(name.toLowerCase()))
      return HttpClientRequest.make(operation === "cancel" ? "POST" : "GET")(`${settings.baseUrl}${path}`).pipe(
        HttpClientRequest.setHeaders(Object.fromEntries(extra)),
        HttpClientRequest.acceptJson,
        HttpClientRequest.setHeader("user-agent", userAgent),
        HttpClientRequest.bearerToken(settings.apiKey),
        Option.isSome(settings.organization)
          ? HttpClientRequest.setHeader("openai-organization", settings.organization.value)
          : (request) => request,
        Option.isSome(settings.project)
          ? HttpClientRequest.setHeader("openai-project", settings.project.value)
          : (request) => request
      )
    }

    const attempt = (request: HttpClientRequest.HttpClientRequest) =>
      httpClient.execute(request).pipe(
        Effect.flatMap((response) => Effect.map(response.text, (text) => ({ response, text }))),
        Effect.mapError((error) => new ConnectionError({ message: scrub(describeTransport(error), secret) })),
        Effect.timeoutFail({
          duration: settings.timeout,
          onTimeout: () =>
            new TimeoutError({
              reason: "attempt",
              timeoutMillis,
              message: `no complete answer within ${Duration.format(settings.timeout)}`
            })
        }),
        Effect.flatMap(({ response, text }) => interpret(response, text, secret))
      )

    const execute = (operation: Operation, ref: FileBatchRef, options?: RequestOptions) =>
      Effect.all([validateRef(ref), RetryPolicy]).pipe(
        Effect.flatMap(([valid, policy]) => {
          const request = baseRequest(operation, valid, options)
          let attempts = 0
          let lastError: FileBatchError | undefined
          return Effect.suspend(() => {
            attempts += 1
            return attempt(request)
          }).pipe(
            Effect.tapError((error) =>
              Effect.zipRight(
                Effect.sync(() => (lastError = error)),
                Effect.logDebug(`${operation} attempt ${attempts} failed: ${error._tag}: ${error.message}`)
              )
            ),
            Effect.retry(policy.schedule(settings.maxRetries)),
            Effect.timeoutFail({
              duration: settings.deadline,
              onTimeout: () =>
                new TimeoutError({
                  reason: "deadline",
                  timeoutMillis: Duration.toMillis(settings.deadline),
                  message: `gave up after ${Duration.format(settings.deadline)} and ${attempts} attempt(s)${
                    lastError ? `; last error: ${lastError.message}` : ""
                  }`
                })
            }),
            Effect.map((answer): FileBatchResponse => ({ ...answer, attempts }))
          )
        }),
        Effect.withSpan(`FileBatchClient.${operation}`, { attributes: { ...ref } })
      )

    return {
      settings,
      execute,
      cancel: (ref) => Effect.map(execute("cancel", ref), (response) => response.batch),
      retrieve: (ref) => Effect.map(execute("retrieve", ref), (response) => response.batch)
    }
  }
)

/**
 * The client, from an `HttpClient` and {@link FileBatchConfig} provided by the app.
 *
 * @since 0.1.0
 */
export const layer: Layer.Layer<FileBatchClient, never, HttpClient.HttpClient | FileBatchConfig> = Layer.effect(
  FileBatchClient,
  make
)

/**
 * Cancels a file batch. Cancellation is asynchronous: the answer may still say
 * `in_progress`; follow it with `awaitTerminal`, or use `cancelAndAwait`.
 *
 * @since 0.1.0
 */
export const cancelFileBatch = (
  ref: FileBatchRef
): Effect.Effect<VectorStoreFileBatch, FileBatchError, FileBatchClient> =>
  Effect.flatMap(FileBatchClient, (client) => client.cancel(ref))

/**
 * Reads a file batch.
 *
 * @since 0.1.0
 */
export const retrieveFileBatch = (
  ref: FileBatchRef
): Effect.Effect<VectorStoreFileBatch, FileBatchError, FileBatchClient> =>
  Effect.flatMap(FileBatchClient, (client) => client.retrieve(ref))
