/**
 * `GET /vector_stores/{vector_store_id}/files`.
 *
 * @since 0.3.0
 */
import { storeRefProblem, type VectorStoreRef } from "../FileBatchId.js"
import { upstreamErrors } from "../internal/upstreamErrors.js"
import * as Operation from "../Operation.js"
import { ListFilesQuery, VectorStoreFileList } from "../VectorStoreFile.js"

/**
 * One page of a vector store's files, every batch's: what the store holds now (a file
 * attached again by a later batch shows that batch's status).
 *
 * @since 0.3.0
 * @category operations
 */
export const listVectorStoreFiles = Operation.make<
  "listVectorStoreFiles",
  VectorStoreRef,
  VectorStoreFileList,
  ListFilesQuery
>({
  name: "listVectorStoreFiles",
  method: "GET",
  path: "/vector_stores/{vector_store_id}/files",
  operationId: "listVectorStoreFiles",
  summary: "List the files of a vector store (filter, limit, order, after, before)",
  checkRef: storeRefProblem,
  query: ListFilesQuery,
  success: VectorStoreFileList,
  what: "a list of files",
  replay: "safe",
  coalesce: false,
  upstreamErrors
})
