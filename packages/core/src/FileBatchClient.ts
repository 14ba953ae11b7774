/**
 * The file batch client: every operation of `FileBatchApi.operations` (`cancel`,
 * `retrieve`, `createFileBatch`, `listFiles`, or any through `execute`) with validation,
 * retries, timeouts and typed errors. It needs an `HttpClient` and {@link FileBatchConfig}, and never
 * chooses them.
 *
 * @since 0.1.0
 */
import { HttpClient } from "@effect/platform"
import { Context, Effect, Layer } from "effect"
import type { VectorStoreFileBatch } from "./FileBatch.js"
import { FileBatchConfig, type FileBatchSettings } from "./FileBatchConfig.js"
import type { FileBatchError } from "./FileBatchError.js"
import type { FileBatchRef, FileRef, StoreFileRef, VectorStoreRef } from "./FileBatchId.js"
import { type CallOptions, makeCall } from "./internal/call.js"
import type { Answer } from "./internal/response.js"
import type * as Operation from "./Operation.js"
import { cancel } from "./operations/cancel.js"
import { createFileBatch, type CreateFileBatchPayload } from "./operations/createFileBatch.js"
import { deleteFile } from "./operations/deleteFile.js"
import { deleteVectorStoreFile } from "./operations/deleteVectorStoreFile.js"
import { listFiles } from "./operations/listFiles.js"
import { listVectorStoreFiles } from "./operations/listVectorStoreFiles.js"
import { retrieve } from "./operations/retrieve.js"
import type { FileDeleted, ListFilesQuery, VectorStoreFileDeleted, VectorStoreFileList } from "./VectorStoreFile.js"

/**
 * An operation's answer with what came with it.
 *
 * @since 0.3.0
 * @category models
 */
export interface OperationResponse<A> extends Answer<A> {
  /** HTTP attempts made, retries included. */
  readonly attempts: number
}

/**
 * A batch with what the answer said about it.
 *
 * @since 0.1.0
 * @category models
 */
export interface FileBatchResponse extends OperationResponse<VectorStoreFileBatch> {
  readonly batch: VectorStoreFileBatch
}

/**
 * A page of a batch's files with what the answer said about it.
 *
 * @since 0.2.0
 * @category models
 */
export interface FileListResponse extends OperationResponse<VectorStoreFileList> {
  readonly list: VectorStoreFileList
}

/**
 * An answer that is a batch, under its own name.
 *
 * @since 0.3.0
 * @category getters
 */
export const asBatchResponse = (response: OperationResponse<VectorStoreFileBatch>): FileBatchResponse => ({
  ...response,
  batch: response.value
})

/** An answer that is a page of files, under its own name. */
const asListResponse = (response: OperationResponse<VectorStoreFileList>): FileListResponse => ({
  ...response,
  list: response.value
})

/**
 * Per-call options.
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestOptions extends CallOptions {}

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
  /** Creates a batch of 1 to 2000 files; sent again only where the failure proves nothing was created. */
  readonly createFileBatch: (
    ref: VectorStoreRef,
    payload: CreateFileBatchPayload,
    options?: RequestOptions
  ) => Effect.Effect<FileBatchResponse, FileBatchError>
  /** One page of the batch's files, with the same policy, checks and typed errors. */
  readonly listFiles: (
    ref: FileBatchRef,
    query?: ListFilesQuery,
    options?: RequestOptions
  ) => Effect.Effect<FileListResponse, FileBatchError>
  /** One page of the vector store's files (every batch's), with the same policy, checks and typed errors. */
  readonly listVectorStoreFiles: (
    ref: VectorStoreRef,
    query?: ListFilesQuery,
    options?: RequestOptions
  ) => Effect.Effect<FileListResponse, FileBatchError>
  /** Detaches a file from the store (the File stays); a 404 to a resent detach counts as done. */
  readonly deleteVectorStoreFile: (
    ref: StoreFileRef,
    options?: RequestOptions
  ) => Effect.Effect<OperationResponse<VectorStoreFileDeleted>, FileBatchError>
  /** Deletes the File from every store; a 404 to a resent delete counts as done. */
  readonly deleteFile: (
    ref: FileRef,
    options?: RequestOptions
  ) => Effect.Effect<OperationResponse<FileDeleted>, FileBatchError>
  /**
   * Any operation of `FileBatchApi.operations`, with the answer's request id, poll hint,
   * raw JSON and attempt count.
   */
  readonly execute: <Op extends Operation.Any>(
    operation: Op,
    input: Operation.Input<Op>,
    options?: RequestOptions
  ) => Effect.Effect<OperationResponse<Operation.Success<Op>>, FileBatchError>
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
    const execute = makeCall(httpClient, settings)
    const batch = (operation: typeof cancel | typeof retrieve) => (ref: FileBatchRef) =>
      Effect.map(execute(operation, { ref }, undefined), (response) => response.value)
    return {
      settings,
      execute,
      cancel: batch(cancel),
      retrieve: batch(retrieve),
      createFileBatch: (ref, payload, options) =>
        Effect.map(execute(createFileBatch, { ref, payload }, options), asBatchResponse),
      listFiles: (ref, query, options) => Effect.map(execute(listFiles, { ref, query }, options), asListResponse),
      listVectorStoreFiles: (ref, query, options) =>
        Effect.map(execute(listVectorStoreFiles, { ref, query }, options), asListResponse),
      deleteVectorStoreFile: (ref, options) => execute(deleteVectorStoreFile, { ref }, options),
      deleteFile: (ref, options) => execute(deleteFile, { ref }, options)
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

/**
 * Creates a file batch in a vector store from 1 to 2000 file IDs. A create is not
 * idempotent: it is sent again only where the failure proves nothing was created.
 *
 * @since 0.3.0
 * @category operations
 */
export const createVectorStoreFileBatch = (
  ref: VectorStoreRef,
  payload: CreateFileBatchPayload
): Effect.Effect<VectorStoreFileBatch, FileBatchError, FileBatchClient> =>
  Effect.flatMap(FileBatchClient, (client) => Effect.map(client.createFileBatch(ref, payload), (r) => r.batch))

/**
 * Detaches a file from a vector store; the File itself stays. A 404 to a resent detach
 * counts as done.
 *
 * @since 0.3.0
 * @category operations
 */
export const detachVectorStoreFile = (
  ref: StoreFileRef
): Effect.Effect<VectorStoreFileDeleted, FileBatchError, FileBatchClient> =>
  Effect.flatMap(FileBatchClient, (client) => Effect.map(client.deleteVectorStoreFile(ref), (r) => r.value))

/**
 * Deletes a File, which removes it from every vector store. A 404 to a resent delete
 * counts as done.
 *
 * @since 0.3.0
 * @category operations
 */
export const deleteFileObject = (
  ref: FileRef
): Effect.Effect<FileDeleted, FileBatchError, FileBatchClient> =>
  Effect.flatMap(FileBatchClient, (client) => Effect.map(client.deleteFile(ref), (r) => r.value))
