import { Schema } from "effect"

/**
 * One more operation for core's table (`{ ...FileBatchApi.operations, listFiles: listFilesEntry }`),
 * to show that an operation is one entry: whatever is derived from the table serves it
 * with nothing else changed. (Plain data: the testkit does not depend on core, whose
 * tests use it.)
 */
export const listFilesEntry = {
  method: "GET",
  path: "/vector_stores/{vector_store_id}/file_batches/{batch_id}/files",
  operationId: "listFilesInVectorStoreBatch",
  summary: "List the files of a batch",
  success: Schema.Unknown,
  upstreamErrors: [400, 404]
} as const
