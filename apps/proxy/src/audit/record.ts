/**
 * The audit trail's records and their chain. A record is one JSON line; its `hash` is the
 * SHA-256 of the line without it, and that covers `prev`, the hash of the record before.
 * Editing a record breaks its own hash; removing or reordering records breaks the next
 * one's `prev`. No key, secret or `Authorization` value is ever a field: the client key
 * appears by its name only.
 */
import type { AuditRecord, ProxyContract } from "@filebatch/core"
import { createHash } from "node:crypto"

/** What one state-changing call came to: core's schema, which `filebatch audit` reads with. */
export type AuditEntry = AuditRecord.AuditEntry

/** The hash before the first record of a trail. */
export const genesis = "0".repeat(64)

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex")

/** The record as its line: the entry, `prev`, then its own `hash`. */
export const seal = (entry: AuditEntry, prev: string): { readonly line: string; readonly hash: string } => {
  const body = JSON.stringify({ ...entry, prev })
  const hash = sha256(body)
  return { line: `${body.slice(0, -1)},"hash":"${hash}"}`, hash }
}

const hashField = /,"hash":"([0-9a-f]{64})"\}$/

/** A line's own hash as written, and the hash it should have; undefined when it is not a sealed record. */
const check = (
  line: string
): { readonly stated: string; readonly actual: string; readonly prev: unknown } | undefined => {
  const match = hashField.exec(line)
  if (match === null) return undefined
  const body = `${line.slice(0, match.index)}}`
  let prev: unknown
  try {
    prev = (JSON.parse(body) as { prev?: unknown }).prev
  } catch {
    return undefined
  }
  return { stated: match[1]!, actual: sha256(body), prev }
}

/** Where a chain breaks: the record (its position from 1, and its ID in the store) and why. */
export interface Break {
  readonly position: number
  readonly id: string
  readonly reason: string
}

/** The outcome of checking a chain. */
export type Verdict =
  | { readonly _tag: "Intact"; readonly records: number; readonly first: string | undefined }
  | { readonly _tag: "Broken"; readonly records: number; readonly at: Break }

/**
 * Checks records in their order: each line's own hash, and each `prev` against the record
 * before it. The first record's `prev` is taken as given (older records may have been
 * trimmed by the retention), unless `from` says which hash it must follow.
 */
export const verify = (
  records: Iterable<{ readonly id: string; readonly line: string }>,
  from?: string
): Verdict => {
  let position = 0
  let previous = from
  let first: string | undefined
  for (const { id, line } of records) {
    position += 1
    const broken = (reason: string): Verdict => ({ _tag: "Broken", records: position, at: { position, id, reason } })
    const checked = check(line)
    if (checked === undefined) return broken("not a sealed record (no hash, or not JSON)")
    if (checked.stated !== checked.actual) return broken("its content does not match its hash (the record was changed)")
    if (previous !== undefined && checked.prev !== previous) {
      return broken("its prev is not the hash of the record before it (a record was removed, added or reordered)")
    }
    first ??= id
    previous = checked.stated
  }
  return { _tag: "Intact", records: position, first }
}

/** The hash a line states (the head of a trail that ends with it). */
export const hashOf = (line: string): string | undefined => hashField.exec(line)?.[1]

/** Which records `GET /audit` and `filebatch audit` want. */
/** Which records `/audit` asks for: the contract's query, decoded. */
export type AuditQuery = ProxyContract.AuditQuery

/** A record's time as written (records are in time order: a reader stops at the first older than it asks). */
export const timeOf = (line: string): string => /^\{"time":"([^"]*)"/.exec(line)?.[1] ?? ""

/** Whether a record's line matches the query (parsed once; unreadable lines never match). */
export const matches = (query: AuditQuery, line: string): boolean => {
  let entry: Partial<AuditEntry>
  try {
    entry = JSON.parse(line) as Partial<AuditEntry>
  } catch {
    return false
  }
  if (query.vector_store_id !== undefined && entry.vector_store_id !== query.vector_store_id) return false
  if (query.batch_id !== undefined && entry.batch_id !== query.batch_id) return false
  if (query.key !== undefined && entry.key !== query.key) return false
  if (query.since !== undefined && !(Date.parse(entry.time ?? "") >= query.since)) return false
  return true
}
