/**
 * The file batch client: `cancel` and `retrieve` with validation, retries, timeouts
 * and typed errors. It needs an `HttpClient` and {@link FileBatchConfig}, and never
 * chooses them.
 *
 * @since 0.1.0
 */
import { HttpClient } from "@effect/platform"
import { Context, Effect, Layer } from "effect"
import type { VectorStoreFileBatch } from "./FileBatch.js"
import type * as FileBatchApi from "./FileBatchApi.js"
import { FileBatchConfig, type FileBatchSettings } from "./FileBatchConfig.js"
import type { FileBatchError } from "./FileBatchError.js"
import type { FileBatchRef } from "./FileBatchId.js"
import { makeCall } from "./internal/call.js"
import { type Answer, batchReader, fileListReader } from "./internal/response.js"
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
  /**
   * Asked before each retry: `false` ends the call with the last error instead (say,
   * when nobody waits for its answer any more). Absent: the retry policy alone decides.
   */
  readonly keepRetrying?: (() => boolean) | undefined
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
    const call = makeCall(httpClient, settings)

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
