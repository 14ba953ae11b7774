/**
 * Every file of a batch, all pages followed: the question after every cancel is which
 * files did not make it (`filter: "cancelled"` or `"failed"`).
 *
 * @since 0.2.0
 */
import { Chunk, Effect, Option, Stream } from "effect"
import {
  FileBatchClient,
  type FileBatchClientService,
  type FileListResponse,
  type RequestOptions
} from "./FileBatchClient.js"
import type { FileBatchError } from "./FileBatchError.js"
import type { FileBatchRef, VectorStoreRef } from "./FileBatchId.js"
import type { ListFilesQuery, VectorStoreFile } from "./VectorStoreFile.js"

/**
 * Which files, in which order, how many per request.
 *
 * @since 0.2.0
 * @category models
 */
export interface ListBatchFilesOptions {
  readonly filter?: ListFilesQuery["filter"]
  readonly order?: ListFilesQuery["order"]
  /** Files per request, 1 to 100 (default 100). */
  readonly pageSize?: number
  readonly request?: RequestOptions
}

/**
 * The batch's pages of files as a `Stream`, one per request (the `after` cursor followed
 * until `has_more` is false), each request with the client's retry policy and checks. Each
 * page keeps the JSON as received (`json`), fields the schema does not know included.
 *
 * @since 0.2.0
 * @category listing
 */
export const listBatchFilePages = (
  ref: FileBatchRef,
  options: ListBatchFilesOptions = {}
): Stream.Stream<FileListResponse, FileBatchError, FileBatchClient> =>
  pages((client, query) => client.listFiles(ref, query, options.request), options)

/**
 * A vector store's pages of files, every batch's, as a `Stream` (see
 * {@link listBatchFilePages}): what the store holds now.
 *
 * @since 0.3.0
 * @category listing
 */
export const listVectorStoreFilePages = (
  ref: VectorStoreRef,
  options: ListBatchFilesOptions = {}
): Stream.Stream<FileListResponse, FileBatchError, FileBatchClient> =>
  pages((client, query) => client.listVectorStoreFiles(ref, query, options.request), options)

/** Every page of a list, its `after` cursor followed until `has_more` is false. */
const pages = (
  listPage: (client: FileBatchClientService, query: ListFilesQuery) => Effect.Effect<FileListResponse, FileBatchError>,
  options: ListBatchFilesOptions
): Stream.Stream<FileListResponse, FileBatchError, FileBatchClient> =>
  Stream.unwrap(Effect.map(FileBatchClient, (client) =>
    Stream.paginateEffect(
      undefined as string | undefined,
      (after) =>
        Effect.map(
          listPage(client, {
            limit: options.pageSize ?? 100,
            ...(options.filter !== undefined ? { filter: options.filter } : {}),
            ...(options.order !== undefined ? { order: options.order } : {}),
            ...(after !== undefined ? { after } : {})
          }),
          (page) =>
            [
              page,
              page.list.has_more && page.list.last_id !== null ? Option.some(page.list.last_id) : Option.none()
            ] as const
        )
    )))

/**
 * The batch's files as a `Stream`, all pages followed (see {@link listBatchFilePages}).
 *
 * @since 0.2.0
 * @category listing
 */
export const listBatchFiles = (
  ref: FileBatchRef,
  options: ListBatchFilesOptions = {}
): Stream.Stream<VectorStoreFile, FileBatchError, FileBatchClient> =>
  Stream.mapConcatChunk(listBatchFilePages(ref, options), (page) => Chunk.unsafeFromArray(page.list.data))

/**
 * A vector store's files as a `Stream`, every batch's, all pages followed (see
 * {@link listVectorStoreFilePages}).
 *
 * @since 0.3.0
 * @category listing
 */
export const listVectorStoreFiles = (
  ref: VectorStoreRef,
  options: ListBatchFilesOptions = {}
): Stream.Stream<VectorStoreFile, FileBatchError, FileBatchClient> =>
  Stream.mapConcatChunk(listVectorStoreFilePages(ref, options), (page) => Chunk.unsafeFromArray(page.list.data))
