/**
 * Every file of a batch, all pages followed: the question after every cancel is which
 * files did not make it (`filter: "cancelled"` or `"failed"`).
 *
 * @since 0.2.0
 */
import { Chunk, Effect, Option, Stream } from "effect"
import { FileBatchClient, type RequestOptions } from "./FileBatchClient.js"
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
 * The batch's files as a `Stream`, one page per request (the `after` cursor followed
 * until `has_more` is false), each request with the client's retry policy and checks.
 *
 * @since 0.2.0
 * @category listing
 */
export const listBatchFiles = (
  ref: FileBatchRef,
  options: ListBatchFilesOptions = {}
): Stream.Stream<VectorStoreFile, FileBatchError, FileBatchClient> =>
  Stream.unwrap(Effect.map(FileBatchClient, (client) => {
    const page = (after: string | undefined) =>
      client.listFiles(ref, {
        limit: options.pageSize ?? 100,
        ...(options.filter !== undefined ? { filter: options.filter } : {}),
        ...(options.order !== undefined ? { order: options.order } : {}),
        ...(after !== undefined ? { after } : {})
      }, options.request)
    return Stream.paginateChunkEffect(
      undefined as string | undefined,
      (after) =>
        Effect.map(page(after), ({ list }) =>
          [
            Chunk.unsafeFromArray(list.data),
            list.has_more && list.last_id !== null ? Option.some(list.last_id) : Option.none()
          ] as const)
    )
  }))
