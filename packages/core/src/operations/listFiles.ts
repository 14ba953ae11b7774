/**
 * `GET /vector_stores/{vector_store_id}/file_batches/{batch_id}/files`.
 *
 * @since 0.3.0
 */
import { type FileBatchRef, refProblem } from "../FileBatchId.js"
import { upstreamErrors } from "../internal/upstreamErrors.js"
import * as Operation from "../Operation.js"
import { ListFilesQuery, VectorStoreFileList } from "../VectorStoreFile.js"

/**
 * One page of a batch's files.
 *
 * @since 0.3.0
 * @category operations
 */
export const listFiles = Operation.make<"listFiles", FileBatchRef, VectorStoreFileList, ListFilesQuery>({
  name: "listFiles",
  method: "GET",
  path: "/vector_stores/{vector_store_id}/file_batches/{batch_id}/files",
  operationId: "listFilesInVectorStoreBatch",
  summary: "List the files of a batch (filter, limit, order, after, before), to see which a cancel stopped",
  checkRef: refProblem,
  query: ListFilesQuery,
  success: VectorStoreFileList,
  what: "a list of files",
  replay: "safe",
  coalesce: false,
  upstreamErrors
})
