/**
 * A record of the proxy's audit trail: one state-changing call (a cancel, a create, a detach, a delete) by a
 * client key, as the proxy writes it and `filebatch audit` reads it. The client key appears
 * by its name only.
 *
 * @since 0.3.0
 */
import { Schema } from "effect"

/**
 * What one call came to, before it is chained.
 *
 * @since 0.3.0
 * @category schemas
 */
export const AuditEntry = Schema.Struct({
  /** When the answer was decided (ISO 8601, UTC). */
  time: Schema.String,
  /** The client key's name. */
  key: Schema.String,
  /** The operation's name in `FileBatchApi.operations` (`cancel`, `createFileBatch`). */
  operation: Schema.String,
  /** The store the call named; null for a File's delete, which is not a store's. */
  vector_store_id: Schema.NullOr(Schema.String),
  /** The batch cancelled, or created (from the answer). */
  batch_id: Schema.NullOr(Schema.String),
  /** The file a detach or a delete named (only on those records). */
  file_id: Schema.optional(Schema.String),
  request_id: Schema.String,
  trace_id: Schema.NullOr(Schema.String),
  /** The HTTP status the client got; 499 when it went away first. */
  status: Schema.Int,
  /** The batch's status in the answer, when it was a batch. */
  batch_status: Schema.NullOr(Schema.String),
  /** The error's type, when it was an error (`client_closed` when the client went away first). */
  error_type: Schema.NullOr(Schema.String),
  upstream_request_id: Schema.NullOr(Schema.String),
  /** HTTP attempts made upstream for this call (0: it shared another's, or none was due). */
  attempts: Schema.Int,
  coalesced: Schema.Boolean,
  /** The process that answered (host/pid). */
  replica: Schema.String
})

/**
 * @since 0.3.0
 * @category models
 */
export type AuditEntry = typeof AuditEntry.Type

/**
 * A record as stored: the entry, the SHA-256 of the record before it (`prev`), and its own (`hash`, of the
 * record's JSON without it).
 *
 * @since 0.3.0
 * @category schemas
 */
export const AuditRecord = Schema.Struct({
  ...AuditEntry.fields,
  prev: Schema.String,
  hash: Schema.String
})

/**
 * @since 0.3.0
 * @category models
 */
export type AuditRecord = typeof AuditRecord.Type
