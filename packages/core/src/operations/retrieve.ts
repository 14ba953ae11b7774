/**
 * `GET /vector_stores/{vector_store_id}/file_batches/{batch_id}`.
 *
 * @since 0.3.0
 */
import { VectorStoreFileBatch } from "../FileBatch.js"
import { type FileBatchRef, refProblem } from "../FileBatchId.js"
import { upstreamErrors } from "../internal/upstreamErrors.js"
import * as Operation from "../Operation.js"

/**
 * Reads a batch. Reads are never shared: whoever follows a batch gets a fresh snapshot.
 *
 * @since 0.3.0
 * @category operations
 */
export const retrieve = Operation.make<"retrieve", FileBatchRef, VectorStoreFileBatch>({
  name: "retrieve",
  method: "GET",
  path: "/vector_stores/{vector_store_id}/file_batches/{batch_id}",
  operationId: "getVectorStoreFileBatch",
  summary: "Retrieve a vector store file batch, to follow a cancellation",
  checkRef: refProblem,
  success: VectorStoreFileBatch,
  what: "a file batch",
  replay: "safe",
  coalesce: false,
  upstreamErrors
})
