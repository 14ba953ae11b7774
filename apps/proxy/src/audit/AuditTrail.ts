/**
 * Where the audit trail is kept: a Redis Stream shared by the replicas, an append-only
 * JSON-lines file for a proxy without Redis, or nowhere. A record is appended before the
 * client gets its answer.
 */
import { Context, Effect } from "effect"
import type { AuditEntry, AuditQuery } from "./record.js"

export interface AuditTrailService {
  /** Where records go, for the start-up line: `redis stream <key>`, `file <path>` or `off`. */
  readonly describe: string
  /** Appends the entry, chained to the record before it. */
  readonly append: (entry: AuditEntry) => Effect.Effect<void, AuditWriteError>
  /** The newest records matching the query, oldest first, as their lines. */
  readonly read: (query: AuditQuery) => Effect.Effect<ReadonlyArray<string>, AuditWriteError>
}

/** The trail could not be written or read (Redis unreachable, a disk full). */
export class AuditWriteError extends Error {
  readonly _tag = "AuditWriteError"
}

export class AuditTrail extends Context.Tag("@filebatch/proxy/AuditTrail")<AuditTrail, AuditTrailService>() {}

/** No trail: neither Redis nor a file was configured. */
export const none: AuditTrailService = {
  describe: "off",
  append: () => Effect.void,
  read: () => Effect.succeed([])
}
