/**
 * The file batch client: `cancel` and `retrieve` with validation, retries, timeouts
 * and typed errors. It needs an `HttpClient` and {@link FileBatchConfig}, and never
 * chooses them.
 *
 * @since 0.1.0
 */
import { HttpClient, HttpClientRequest } from "@effect/platform"
import { Context, Duration, Effect, Layer, Option, Redacted, Schedule } from "effect"
import type { VectorStoreFileBatch } from "./FileBatch.js"
import * as FileBatchApi from "./FileBatchApi.js"
import { FileBatchConfig, type FileBatchSettings } from "./FileBatchConfig.js"
import { type FileBatchError, TimeoutError } from "./FileBatchError.js"
import { type FileBatchRef, refProblem } from "./FileBatchId.js"
import { makeAttempt } from "./internal/attempt.js"
import { type Answer, batchReader, fileListReader, type Reader } from "./internal/response.js"
import { userAgent } from "./internal/version.js"
import { RetryPolicy } from "./RetryPolicy.js"
import type { ListFilesQuery, VectorStoreFileList } from "./VectorStoreFile.js"

/**
 * The operations on a batch, as named in {@link FileBatchApi.operations}.
 *
 * @since 0.1.0
 * @category models
 */
export type Operation = FileBatchApi.OperationName

/**
 * The operations whose answer is the batch.
 *
 * @since 0.2.0
 * @category models
 */
export type BatchOperation = "cancel" | "retrieve"

// Each operation's method and path, from the one table, compiled once.
const requestLines = Object.fromEntries(
  (Object.keys(FileBatchApi.operations) as Array<Operation>).map((name) => [name, {
    method: FileBatchApi.operations[name].method,
    template: FileBatchApi.compile(FileBatchApi.operations[name].path)
  }])
) as Record<Operation, { readonly method: "GET" | "POST"; readonly template: FileBatchApi.Template }>

/**
 * A batch with what the answer said about it.
 *
 * @since 0.1.0
 * @category models
 */
export interface FileBatchResponse extends Omit<Answer<VectorStoreFileBatch>, "value"> {
  readonly batch: VectorStoreFileBatch
  /** HTTP attempts made, retries included. */
  readonly attempts: number
}

/**
 * A page of a batch's files with what the answer said about it.
 *
 * @since 0.2.0
 * @category models
 */
export interface FileListResponse extends Omit<Answer<VectorStoreFileList>, "value"> {
  readonly list: VectorStoreFileList
  /** HTTP attempts made, retries included. */
  readonly attempts: number
}

/**
 * Per-call options.
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestOptions {
  /** Extra request headers, e.g. `X-Client-Request-Id`. They cannot replace authentication. */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** Called as each HTTP attempt starts, retries included, however the call ends. */
  readonly onAttempt?: (() => void) | undefined
}

/**
 * @since 0.1.0
 * @category models
 */
export interface FileBatchClientService {
  readonly settings: FileBatchSettings
  /** Asks OpenAI to cancel the batch; the answer may still be `in_progress`. */
  readonly cancel: (ref: FileBatchRef) => Effect.Effect<VectorStoreFileBatch, FileBatchError>
  /** Reads the batch. */
  readonly retrieve: (ref: FileBatchRef) => Effect.Effect<VectorStoreFileBatch, FileBatchError>
  /** Either batch operation, with the answer's request id, poll hint, raw JSON and attempt count. */
  readonly execute: (
    operation: BatchOperation,
    ref: FileBatchRef,
    options?: RequestOptions
  ) => Effect.Effect<FileBatchResponse, FileBatchError>
  /** One page of the batch's files, with the same policy, checks and typed errors. */
  readonly listFiles: (
    ref: FileBatchRef,
    query?: ListFilesQuery,
    options?: RequestOptions
  ) => Effect.Effect<FileListResponse, FileBatchError>
}

/**
 * The client service.
 *
 * @since 0.1.0
 * @category tags
 */
export class FileBatchClient extends Context.Tag("@filebatch/core/FileBatchClient")<
  FileBatchClient,
  FileBatchClientService
>() {}

const protectedHeaders = new Set(["authorization", "openai-organization", "openai-project", "host"])

/**
 * Builds the client from the `HttpClient` and settings in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<FileBatchClientService, never, HttpClient.HttpClient | FileBatchConfig> = Effect.gen(
  function*() {
    const settings = yield* FileBatchConfig
    const httpClient = yield* HttpClient.HttpClient
    const secret = Redacted.value(settings.apiKey)

    // What every request carries, built once; per-call headers cannot replace it.
    const fixedHeaders: Record<string, string> = {
      accept: "application/json",
      "user-agent": userAgent,
      authorization: `Bearer ${secret}`,
      ...(Option.isSome(settings.organization) ? { "openai-organization": settings.organization.value } : {}),
      ...(Option.isSome(settings.project) ? { "openai-project": settings.project.value } : {})
    }

    const baseRequest = (
      operation: Operation,
      ref: FileBatchRef,
      query: Readonly<Record<string, string | number | undefined>> | undefined,
      options: RequestOptions | undefined
    ) => {
      const line = requestLines[operation]
      let headers = fixedHeaders
      if (options?.headers !== undefined) {
        headers = {}
        for (const name in options.headers) {
          const lower = name.toLowerCase()
          if (!protectedHeaders.has(lower)) headers[lower] = options.headers[name]!
        }
        for (const name in fixedHeaders) headers[name] = fixedHeaders[name]!
      }
      let url = `${settings.baseUrl}${FileBatchApi.fill(line.template, ref)}`
      if (query !== undefined) {
        const search = new URLSearchParams()
        for (const name in query) if (query[name] !== undefined) search.set(name, String(query[name]))
        if (search.size > 0) url += `?${search}`
      }
      return HttpClientRequest.make(line.method)(url, { headers })
    }

    const deadlineMillis = Duration.toMillis(settings.deadline)
    const attempt = makeAttempt(httpClient, settings)

    // The first attempt runs bare; the retry schedule and its driver are only built once
    // an attempt has failed, which keeps the common path cheap (measured in the proxy bench).
    const call = <A>(
      operation: Operation,
      ref: FileBatchRef,
      query: Readonly<Record<string, string | number | undefined>> | undefined,
      reader: Reader<A>,
      options: RequestOptions | undefined
    ) =>
      Effect.clockWith((clock): Effect.Effect<Answer<A> & { readonly attempts: number }, FileBatchError> => {
        const problem = refProblem(ref)
        if (problem !== undefined) return Effect.fail(problem)
        const startedAt = clock.unsafeCurrentTimeMillis()
        const request = baseRequest(operation, ref, query, options)
        let attempts = 1
        const remaining = Effect.sync(() => startedAt + deadlineMillis - clock.unsafeCurrentTimeMillis())
        const gaveUp = (last: FileBatchError) =>
          new TimeoutError({
            reason: "deadline",
            timeoutMillis: deadlineMillis,
            message: `gave up after ${
              Duration.format(settings.deadline)
            } and ${attempts} attempt(s); last error: ${last.message}`
          })
        const retryAfter = (firstError: FileBatchError) =>
          Effect.gen(function*() {
            const policy = yield* RetryPolicy
            const driver = yield* Schedule.driver(policy.schedule(settings.maxRetries))
            let last = firstError
            while (true) {
              yield* Effect.logDebug(`${operation} attempt ${attempts} failed: ${last._tag}: ${last.message}`)
              const before = yield* remaining
              const next = yield* Effect.either(
                driver.next(last).pipe(
                  Effect.timeoutFail({ duration: Duration.millis(before), onTimeout: () => true })
                )
              )
              if (next._tag === "Left") {
                // The schedule is done (the error is final), or its delay outlasts the deadline.
                return yield* Effect.fail(next.left === true ? gaveUp(last) : last)
              }
              attempts += 1
              const result = yield* Effect.either(
                Effect.flatMap(remaining, (left) => attempt(request, left, clock, options?.onAttempt, reader))
              )
              if (result._tag === "Right") return result.right
              last = result.left
            }
          })
        return attempt(request, deadlineMillis, clock, options?.onAttempt, reader).pipe(
          Effect.catchAll((error) =>
            error._tag === "TimeoutError" && error.reason === "deadline" ? Effect.fail(error) : retryAfter(error)
          ),
          Effect.map((answer) => ({ ...answer, attempts }))
        )
      })

    const execute = (operation: BatchOperation, ref: FileBatchRef, options?: RequestOptions) =>
      Effect.map(call(operation, ref, undefined, batchReader, options), (answer): FileBatchResponse => ({
        batch: answer.value,
        json: answer.json,
        text: answer.text,
        requestId: answer.requestId,
        pollAfterMillis: answer.pollAfterMillis,
        attempts: answer.attempts
      }))

    const listFiles = (ref: FileBatchRef, query?: ListFilesQuery, options?: RequestOptions) =>
      Effect.map(call("listFiles", ref, query, fileListReader, options), (answer): FileListResponse => ({
        list: answer.value,
        json: answer.json,
        text: answer.text,
        requestId: answer.requestId,
        pollAfterMillis: answer.pollAfterMillis,
        attempts: answer.attempts
      }))

    return {
      settings,
      execute,
      listFiles,
      cancel: (ref) => Effect.map(execute("cancel", ref), (response) => response.batch),
      retrieve: (ref) => Effect.map(execute("retrieve", ref), (response) => response.batch)
    }
  }
)

/**
 * The client, from an `HttpClient` and {@link FileBatchConfig} provided by the app.
 *
 * @since 0.1.0
 * @category layers
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
 * @category operations
 */
export const cancelFileBatch = (
  ref: FileBatchRef
): Effect.Effect<VectorStoreFileBatch, FileBatchError, FileBatchClient> =>
  Effect.flatMap(FileBatchClient, (client) => client.cancel(ref))

/**
 * Reads a file batch.
 *
 * @since 0.1.0
 * @category operations
 */
export const retrieveFileBatch = (
  ref: FileBatchRef
): Effect.Effect<VectorStoreFileBatch, FileBatchError, FileBatchClient> =>
  Effect.flatMap(FileBatchClient, (client) => client.retrieve(ref))
