/**
 * `POST /vector_stores/{vector_store_id}/file_batches`: a new batch of files in a store.
 *
 * @since 0.3.0
 */
import { Schema } from "effect"
import { VectorStoreFileBatch } from "../FileBatch.js"
import { idPattern, maxIdLength, storeRefProblem, type VectorStoreRef } from "../FileBatchId.js"
import { upstreamErrors } from "../internal/upstreamErrors.js"
import * as Operation from "../Operation.js"

/**
 * The most files one batch may hold.
 *
 * @since 0.3.0
 * @category constants
 */
export const maxFilesPerBatch = 2000

/**
 * OpenAI's limit on attach requests (a batch is one) per vector store and minute.
 *
 * @since 0.3.0
 * @category constants
 */
export const attachRequestsPerMinute = 300

/**
 * OpenAI's limit on files attached per organisation and minute, across every vector store:
 * a batch of 2000 files uses a minute of it.
 *
 * @since 0.3.0
 * @category constants
 */
export const attachedFilesPerMinute = 2000

const FileId = Schema.String.pipe(
  Schema.pattern(idPattern),
  Schema.maxLength(maxIdLength),
  Schema.annotations({ description: "A file ID (file-…)" })
)

/**
 * Up to 16 key-value pairs applied to every file of the batch.
 *
 * @since 0.3.0
 * @category schemas
 */
export const Attributes = Schema.Record({
  key: Schema.String.pipe(Schema.maxLength(64)),
  value: Schema.Union(Schema.String.pipe(Schema.maxLength(512)), Schema.Number, Schema.Boolean)
}).pipe(Schema.filter((attributes) => Object.keys(attributes).length <= 16 || "at most 16 attributes"))

const StaticChunking = Schema.Struct({
  max_chunk_size_tokens: Schema.Number.pipe(Schema.int(), Schema.between(100, 4096)),
  chunk_overlap_tokens: Schema.Number.pipe(Schema.int(), Schema.nonNegative())
}).pipe(
  Schema.filter((chunking) =>
    chunking.chunk_overlap_tokens <= chunking.max_chunk_size_tokens / 2 ||
    "chunk_overlap_tokens must not exceed half of max_chunk_size_tokens"
  )
)

/**
 * How the files are cut into chunks: `auto`, or `static` sizes.
 *
 * @since 0.3.0
 * @category schemas
 */
export const ChunkingStrategy = Schema.Union(
  Schema.Struct({ type: Schema.Literal("auto") }),
  Schema.Struct({ type: Schema.Literal("static"), static: StaticChunking })
)

/**
 * The request of a new batch: 1 to 2000 file IDs, with the attributes and chunking
 * strategy applied to each.
 *
 * @since 0.3.0
 * @category schemas
 */
export const CreateFileBatchPayload = Schema.Struct({
  file_ids: Schema.Array(FileId).pipe(Schema.minItems(1), Schema.maxItems(maxFilesPerBatch)),
  attributes: Schema.optional(Schema.NullOr(Attributes)),
  chunking_strategy: Schema.optional(ChunkingStrategy)
}).annotations({ identifier: "CreateVectorStoreFileBatchRequest" })

/**
 * @since 0.3.0
 * @category models
 */
export type CreateFileBatchPayload = typeof CreateFileBatchPayload.Type

/**
 * Creates a batch. Creating twice makes two batches, so a failed attempt is sent again
 * only when the failure proves nothing was created (a 429, an answer saying to retry,
 * a connection refused), and calls are never shared.
 *
 * @since 0.3.0
 * @category operations
 */
export const createFileBatch = Operation.make<
  "createFileBatch",
  VectorStoreRef,
  VectorStoreFileBatch,
  never,
  CreateFileBatchPayload
>({
  name: "createFileBatch",
  method: "POST",
  path: "/vector_stores/{vector_store_id}/file_batches",
  operationId: "createVectorStoreFileBatch",
  summary: "Create a vector store file batch (at most 2000 files), e.g. from the files a cancel stopped",
  checkRef: storeRefProblem,
  payload: CreateFileBatchPayload,
  success: VectorStoreFileBatch,
  what: "a file batch",
  replay: "once",
  coalesce: false,
  upstreamErrors
})
