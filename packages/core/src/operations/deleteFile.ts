/**
 * `DELETE /files/{file_id}`.
 *
 * @since 0.3.0
 */
import { type FileRef, fileRefProblem } from "../FileBatchId.js"
import { upstreamErrors } from "../internal/upstreamErrors.js"
import * as Operation from "../Operation.js"
import { FileDeleted } from "../VectorStoreFile.js"

/**
 * Deletes a File, which removes it from **every** vector store that holds it. It may be
 * sent again: a 404 to a resent delete means the first one did it.
 *
 * @since 0.3.0
 * @category operations
 */
export const deleteFile = Operation.make<"deleteFile", FileRef, FileDeleted>({
  name: "deleteFile",
  method: "DELETE",
  path: "/files/{file_id}",
  operationId: "deleteFile",
  summary: "Delete a File, which removes it from every vector store",
  checkRef: fileRefProblem,
  success: FileDeleted,
  what: "a deleted file",
  replay: "safe",
  goneWhenResent: (ref) => new FileDeleted({ id: ref.fileId, object: "file", deleted: true }),
  coalesce: true,
  upstreamErrors
})
