/**
 * Every file of a batch, all pages followed: the question after every cancel is which
 * files did not make it (`filter: "cancelled"` or `"failed"`).
 *
 * @since 0.2.0
 */
import { Chunk, Effect, Option, Stream } from "effect"
import { FileBatchClient, type FileListResponse, type RequestOptions } from "./FileBatchClient.js"
import type { FileBatchError } from "./FileBatchError.js"
import type { FileBatchRef } from "./FileBatchId.js"
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
  Stream.unwrap(Effect.map(FileBatchClient, (client) =>
    Stream.paginateEffect(
      undefined as string | undefined,
      (after) =>
        Effect.map(
          client.listFiles(ref, {
            limit: options.pageSize ?? 100,
            ...(options.filter !== undefined ? { filter: options.filter } : {}),
            ...(options.order !== undefined ? { order: options.order } : {}),
            ...(after !== undefined ? { after } : {})
          }, options.request),
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
