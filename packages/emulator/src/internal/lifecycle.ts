/**
 * Pure derivation of a batch's file states from time. Nothing runs in the background:
 * every answer is computed from the batch record and the current Clock time, so a
 * TestClock drives the whole lifecycle and counts always add up.
 */
import { FileBatch } from "@filebatch/core"

export type FileStatus = FileBatch.KnownStatus

export interface Processing {
  /** How long one file takes. */
  readonly fileMillis: number
  /** Files processed at once. */
  readonly parallelism: number
  /** Share of files that fail, 0 to 1, chosen deterministically per file. */
  readonly failureRatio: number
  /** Delay between a cancel request and the batch reaching `cancelled`. */
  readonly cancelDelayMillis: number
}

export interface BatchRecord {
  readonly id: string
  readonly vectorStoreId: string
  readonly createdAtMillis: number
  readonly fileIds: ReadonlyArray<string>
  readonly processing: Processing
  /** When a cancel was accepted, if ever. */
  cancelRequestedAtMillis: number | undefined
  /** Files no longer in the batch: detached from the store, or their File deleted. */
  readonly removed: Set<number>
}

export interface Counts {
  in_progress: number
  completed: number
  failed: number
  cancelled: number
  total: number
}

/** A stable number in [0, 1) from a string, so the same file always fails or succeeds. */
const unitHash = (text: string): number => {
  let hash = 2166136261
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 16777619)
  }
  // murmur3's finaliser: FNV alone leaves neighbouring indexes correlated.
  hash ^= hash >>> 16
  hash = Math.imul(hash, 0x85ebca6b)
  hash ^= hash >>> 13
  hash = Math.imul(hash, 0xc2b2ae35)
  hash ^= hash >>> 16
  return (hash >>> 0) / 4294967296
}

export const fileEndMillis = (batch: BatchRecord, index: number): number =>
  batch.createdAtMillis +
  (Math.floor(index / batch.processing.parallelism) + 1) * batch.processing.fileMillis

export const fileFails = (batch: BatchRecord, index: number): boolean =>
  unitHash(`${batch.id}:${index}`) < batch.processing.failureRatio

export const fileStatus = (batch: BatchRecord, index: number, now: number): FileStatus => {
  const end = fileEndMillis(batch, index)
  const cancelAt = batch.cancelRequestedAtMillis
  if (cancelAt !== undefined && end > cancelAt) {
    return now >= cancelAt + batch.processing.cancelDelayMillis ? "cancelled" : "in_progress"
  }
  if (now < end) return "in_progress"
  return fileFails(batch, index) ? "failed" : "completed"
}

export const countsAt = (batch: BatchRecord, now: number): Counts => {
  const counts: Counts = {
    in_progress: 0,
    completed: 0,
    failed: 0,
    cancelled: 0,
    total: batch.fileIds.length - batch.removed.size
  }
  for (let index = 0; index < batch.fileIds.length; index++) {
    if (!batch.removed.has(index)) counts[fileStatus(batch, index, now)] += 1
  }
  return counts
}

export const statusAt = (batch: BatchRecord, counts: Counts, cancellingStatus: string): string => {
  if (batch.cancelRequestedAtMillis !== undefined) {
    return counts.in_progress === 0 ? "cancelled" : cancellingStatus
  }
  if (counts.in_progress > 0) return "in_progress"
  return counts.total > 0 && counts.failed === counts.total ? "failed" : "completed"
}

export const isTerminalStatus = (status: string): boolean => FileBatch.terminalStatuses.has(status)
