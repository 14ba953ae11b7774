/**
 * `POST /vector_stores/{vector_store_id}/file_batches/{batch_id}/cancel`.
 *
 * @since 0.3.0
 */
import { VectorStoreFileBatch } from "../FileBatch.js"
import { type FileBatchRef, refProblem } from "../FileBatchId.js"
import { upstreamErrors } from "../internal/upstreamErrors.js"
import * as Operation from "../Operation.js"

/**
 * Asks OpenAI to cancel a batch. Cancelling twice does what cancelling once does, so a
 * failed attempt is retried, and identical cancels in flight share one call.
 *
 * @since 0.3.0
 * @category operations
 */
export const cancel = Operation.make<"cancel", FileBatchRef, VectorStoreFileBatch>({
  name: "cancel",
  method: "POST",
  path: "/vector_stores/{vector_store_id}/file_batches/{batch_id}/cancel",
  operationId: "cancelVectorStoreFileBatch",
  summary: "Cancel a vector store file batch; cancellation is asynchronous",
  checkRef: refProblem,
  success: VectorStoreFileBatch,
  what: "a file batch",
  replay: "safe",
  coalesce: true,
  upstreamErrors
})
