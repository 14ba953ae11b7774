/**
 * The files of a batch, as OpenAI lists them (`GET …/file_batches/{batch_id}/files`):
 * tolerant like the batch schema (unknown statuses kept, extra fields dropped).
 *
 * @since 0.2.0
 */
import { Schema } from "effect"
import { FileBatchStatus, KnownStatus } from "./FileBatch.js"
import { idPattern, maxIdLength } from "./FileBatchId.js"
import { Count, UnixSeconds } from "./internal/numbers.js"

/**
 * A file's status: the statuses of a batch (one of the four documented, or any other
 * non-empty text).
 *
 * @since 0.2.0
 * @category schemas
 */
export const FileStatus = FileBatchStatus

/**
 * One file of a vector store, as a batch lists it.
 *
 * @since 0.2.0
 * @category schemas
 */
export class VectorStoreFile extends Schema.Class<VectorStoreFile>("VectorStoreFile")({
  id: Schema.String,
  object: Schema.Literal("vector_store.file"),
  created_at: UnixSeconds,
  vector_store_id: Schema.String,
  status: FileStatus as Schema.Schema<KnownStatus | (string & {}), string>,
  usage_bytes: Schema.optional(Count),
  last_error: Schema.optional(Schema.NullOr(Schema.Struct({ code: Schema.String, message: Schema.String })))
}) {}

/**
 * One page of a batch's files, with the cursors to the next.
 *
 * @since 0.2.0
 * @category schemas
 */
export class VectorStoreFileList extends Schema.Class<VectorStoreFileList>("VectorStoreFileList")({
  object: Schema.Literal("list"),
  data: Schema.Array(VectorStoreFile),
  // The live API answers null for an empty page, where the spec says string.
  first_id: Schema.NullOr(Schema.String),
  last_id: Schema.NullOr(Schema.String),
  has_more: Schema.Boolean
}) {}

/**
 * `VectorStoreFileList` from unknown JSON, synchronously; extra fields are dropped.
 *
 * @since 0.2.0
 * @category decoding
 */
export const decodeFileListEither = Schema.decodeUnknownEither(VectorStoreFileList, { onExcessProperty: "ignore" })

const cursor = Schema.String.pipe(
  Schema.pattern(idPattern),
  Schema.maxLength(maxIdLength),
  Schema.annotations({ description: "A file ID" })
)

/**
 * The query of the list: which files, how many per page, in which order, from which
 * cursor. It decodes from the query's text (`limit=20`) and encodes back to it.
 *
 * @since 0.2.0
 * @category schemas
 */
export const ListFilesQuery = Schema.Struct({
  filter: Schema.optional(KnownStatus),
  limit: Schema.optional(
    Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 100), Schema.annotations({ description: "1 to 100" }))
  ),
  order: Schema.optional(Schema.Literal("asc", "desc")),
  after: Schema.optional(cursor),
  before: Schema.optional(cursor)
})

/**
 * @since 0.2.0
 * @category models
 */
export type ListFilesQuery = typeof ListFilesQuery.Type

/**
 * The answer to detaching a file from a vector store (the File itself stays).
 *
 * @since 0.3.0
 * @category schemas
 */
export class VectorStoreFileDeleted extends Schema.Class<VectorStoreFileDeleted>("VectorStoreFileDeleted")({
  id: Schema.String,
  object: Schema.Literal("vector_store.file.deleted"),
  deleted: Schema.Boolean
}) {}

/**
 * The answer to deleting a File (which removes it from every vector store).
 *
 * @since 0.3.0
 * @category schemas
 */
export class FileDeleted extends Schema.Class<FileDeleted>("FileDeleted")({
  id: Schema.String,
  object: Schema.Literal("file"),
  deleted: Schema.Boolean
}) {}
