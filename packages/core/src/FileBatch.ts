/**
 * The `vector_store.files_batch` object returned by OpenAI, decoded tolerantly: the
 * official material contradicts itself, and the live API has been seen answering
 * with statuses the spec does not list.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { Count, UnixSeconds } from "./internal/numbers.js"

/**
 * The four statuses the official spec documents.
 *
 * @since 0.1.0
 * @category schemas
 */
export const KnownStatus = Schema.Literal("in_progress", "completed", "cancelled", "failed")

/**
 * @since 0.1.0
 * @category models
 */
export type KnownStatus = typeof KnownStatus.Type

/**
 * Statuses after which a batch never changes again.
 *
 * @since 0.1.0
 * @category constants
 */
export const terminalStatuses: ReadonlySet<string> = new Set<KnownStatus>(["completed", "cancelled", "failed"])

/**
 * A batch status. Any string decodes (for example `cancelling`, seen in the wild), so
 * an undocumented status never fails a request; {@link isKnownStatus} tells them apart.
 *
 * @since 0.1.0
 * @category schemas
 */
export const FileBatchStatus = Schema.Union(KnownStatus, Schema.NonEmptyTrimmedString)

/**
 * @since 0.1.0
 * @category models
 */
export type FileBatchStatus = KnownStatus | (string & {})

/**
 * Both spellings of the object type: the schema's enum says `vector_store.files_batch`,
 * its description and the cancel example say `vector_store.file_batch`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const FileBatchObjectType = Schema.Literal("vector_store.files_batch", "vector_store.file_batch")

/**
 * @since 0.1.0
 * @category schemas
 */
export const FileCounts = Schema.Struct({
  in_progress: Count,
  completed: Count,
  failed: Count,
  cancelled: Count,
  total: Count
})

/**
 * @since 0.1.0
 * @category models
 */
export interface FileCounts extends Schema.Schema.Type<typeof FileCounts> {}

/**
 * A vector store file batch. Unknown extra fields are accepted and dropped.
 *
 * @since 0.1.0
 * @category schemas
 */
export class VectorStoreFileBatch extends Schema.Class<VectorStoreFileBatch>("VectorStoreFileBatch")({
  id: Schema.String,
  object: FileBatchObjectType,
  created_at: UnixSeconds,
  vector_store_id: Schema.String,
  status: FileBatchStatus as Schema.Schema<FileBatchStatus, string>,
  file_counts: FileCounts
}) {}

// Unknown extra fields are dropped, never an error: the API adds fields over time.
const decodeOptions = { onExcessProperty: "ignore" } as const

/**
 * Decodes an unknown JSON value into a batch, failing with a `ParseError`.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeFileBatch = Schema.decodeUnknown(VectorStoreFileBatch, decodeOptions)

/**
 * {@link decodeFileBatch}, synchronously: `Either` a batch or the `ParseError`.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeFileBatchEither = Schema.decodeUnknownEither(VectorStoreFileBatch, decodeOptions)

/**
 * True when the batch will not change any more: `completed`, `cancelled` or `failed`.
 * An unknown status (such as `cancelling`) is never terminal.
 *
 * @since 0.1.0
 * @category guards
 */
export const isTerminal = (batch: { readonly status: string }): boolean => terminalStatuses.has(batch.status)

/**
 * True when the status is one of the four the spec documents.
 *
 * @since 0.1.0
 * @category guards
 */
export const isKnownStatus = (status: string): status is KnownStatus => Schema.is(KnownStatus)(status)

/**
 * True when the counts add up to `total`, as they always should.
 *
 * @since 0.1.0
 * @category guards
 */
export const countsAreConsistent = (counts: FileCounts): boolean =>
  counts.in_progress + counts.completed + counts.failed + counts.cancelled === counts.total
