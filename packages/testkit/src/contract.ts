import { Schema } from "effect"

/**
 * An operation core's table does not have (`{ ...FileBatchApi.operations, usage: extraOperation }`),
 * to show that an operation is one entry: whatever is derived from the table serves it
 * with nothing else changed. (Plain data: the testkit does not depend on core, whose
 * tests use it.)
 */
export const extraOperation = {
  method: "GET",
  path: "/vector_stores/{vector_store_id}/file_batches/{batch_id}/usage",
  operationId: "getVectorStoreFileBatchUsage",
  summary: "An operation for the test only",
  success: Schema.Unknown,
  upstreamErrors: [400, 404]
} as const
