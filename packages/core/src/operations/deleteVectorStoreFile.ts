/**
 * `DELETE /vector_stores/{vector_store_id}/files/{file_id}`.
 *
 * @since 0.3.0
 */
import { type StoreFileRef, storeFileRefProblem } from "../FileBatchId.js"
import { upstreamErrors } from "../internal/upstreamErrors.js"
import * as Operation from "../Operation.js"
import { VectorStoreFileDeleted } from "../VectorStoreFile.js"

/**
 * Detaches a file from a vector store; the File itself stays (see `deleteFile`). It may be
 * sent again: a 404 to a resent detach means the first one did it.
 *
 * @since 0.3.0
 * @category operations
 */
export const deleteVectorStoreFile = Operation.make<"deleteVectorStoreFile", StoreFileRef, VectorStoreFileDeleted>({
  name: "deleteVectorStoreFile",
  method: "DELETE",
  path: "/vector_stores/{vector_store_id}/files/{file_id}",
  operationId: "deleteVectorStoreFile",
  summary: "Detach a file from a vector store; the File itself is kept",
  checkRef: storeFileRefProblem,
  success: VectorStoreFileDeleted,
  what: "a deleted vector store file",
  replay: "safe",
  goneWhenResent: (ref) =>
    new VectorStoreFileDeleted({ id: ref.fileId, object: "vector_store.file.deleted", deleted: true }),
  coalesce: true,
  upstreamErrors
})
