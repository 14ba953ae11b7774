/**
 * The emulator's in-memory state: vector stores and file batches, with every answer
 * derived from the current `Clock` time.
 *
 * @since 0.1.0
 */
import { Effect, Either } from "effect"
import type { EmulatorSettings } from "./EmulatorConfig.js"
import * as Errors from "./internal/apiError.js"
import type { ApiError } from "./internal/apiError.js"
import { newId } from "./internal/ids.js"
import { type BatchRecord, type Counts, countsAt, isTerminalStatus, statusAt } from "./internal/lifecycle.js"
import type { ListFilesQuery } from "./internal/listPage.js"
import { batchMembers, deleteEverywhere, detach, listJson, storeMembers } from "./internal/storeFiles.js"
import * as Progress from "./Progress.js"

interface VectorStoreRecord {
  readonly id: string
  readonly name: string
  readonly createdAtMillis: number
}

export type { ListFilesQuery } from "./internal/listPage.js"

const seconds = (millis: number) => Math.floor(millis / 1000)

/**
 * @since 0.1.0
 * @category models
 */
export interface Store {
  readonly createVectorStore: (name: string | undefined) => Effect.Effect<Record<string, unknown>>
  readonly createBatch: (
    vectorStoreId: string,
    fileIds: ReadonlyArray<string>
  ) => Effect.Effect<Record<string, unknown>, ApiError>
  readonly retrieveBatch: (vectorStoreId: string, batchId: string) => Effect.Effect<Record<string, unknown>, ApiError>
  readonly cancelBatch: (vectorStoreId: string, batchId: string) => Effect.Effect<Record<string, unknown>, ApiError>
  readonly listFiles: (
    vectorStoreId: string,
    batchId: string,
    query: ListFilesQuery
  ) => Effect.Effect<Record<string, unknown>, ApiError>
  /** The store's files, every batch's; a file attached again is the later batch's. */
  readonly listStoreFiles: (
    vectorStoreId: string,
    query: ListFilesQuery
  ) => Effect.Effect<Record<string, unknown>, ApiError>
  /** Detaches the file from the store: it leaves the store's and its batches' lists and counts. */
  readonly detachFile: (vectorStoreId: string, fileId: string) => Effect.Effect<Record<string, unknown>, ApiError>
  /** Deletes the File: it leaves every store. */
  readonly deleteFile: (fileId: string) => Effect.Effect<Record<string, unknown>, ApiError>
}

/** The API's JSON of a vector store, a batch and a batch's file, at `now`. */
const vectorStoreJson = (record: VectorStoreRecord, now: number, file_counts: Counts) => {
  return {
    id: record.id,
    object: "vector_store",
    created_at: seconds(record.createdAtMillis),
    name: record.name,
    usage_bytes: 0,
    file_counts,
    status: file_counts.in_progress > 0 ? "in_progress" : "completed",
    expires_at: null,
    last_active_at: seconds(now),
    metadata: {}
  }
}

const batchJson = (settings: EmulatorSettings, batch: BatchRecord, now: number) => {
  const file_counts = countsAt(batch, now)
  return {
    id: batch.id,
    object: settings.objectType,
    created_at: seconds(batch.createdAtMillis),
    vector_store_id: batch.vectorStoreId,
    status: statusAt(batch, file_counts, settings.cancellingStatus),
    file_counts
  }
}

/** The batch of the store, or the error OpenAI answers when either is unknown. */
const findBatch = (
  stores: ReadonlyMap<string, VectorStoreRecord>,
  batches: ReadonlyMap<string, BatchRecord>,
  vectorStoreId: string,
  batchId: string
): Either.Either<BatchRecord, ApiError> => {
  if (!stores.has(vectorStoreId)) return Either.left(Errors.vectorStoreNotFound(vectorStoreId))
  const batch = batches.get(batchId)
  return batch === undefined || batch.vectorStoreId !== vectorStoreId
    ? Either.left(Errors.batchNotFound(batchId, vectorStoreId))
    : Either.right(batch)
}

/**
 * A fresh, empty store whose batches progress on `progress` (by default, the clock).
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeStore = (settings: EmulatorSettings, progress: Progress.Progress = Progress.make()): Store => {
  const stores = new Map<string, VectorStoreRecord>()
  const batches = new Map<string, BatchRecord>()
  const deletedFiles = new Set<string>()

  const storeCounts = (vectorStoreId: string, now: number): Counts => {
    const total: Counts = { in_progress: 0, completed: 0, failed: 0, cancelled: 0, total: 0 }
    for (const batch of batches.values()) {
      if (batch.vectorStoreId !== vectorStoreId) continue
      const counts = countsAt(batch, now)
      for (const key of Object.keys(total) as Array<keyof Counts>) total[key] += counts[key]
    }
    return total
  }

  const withBatch = <A>(
    vectorStoreId: string,
    batchId: string,
    f: (batch: BatchRecord, now: number) => Either.Either<A, ApiError>
  ): Effect.Effect<A, ApiError> =>
    Effect.flatMap(
      progress.now,
      (now) => Either.flatMap(findBatch(stores, batches, vectorStoreId, batchId), (b) => f(b, now))
    )

  return {
    createVectorStore: (name) =>
      Effect.map(progress.now, (now) => {
        const record = { id: newId("vs_"), name: name ?? "", createdAtMillis: now }
        stores.set(record.id, record)
        return vectorStoreJson(record, now, storeCounts(record.id, now))
      }),

    createBatch: (vectorStoreId, fileIds) =>
      Effect.flatMap(progress.now, (now) => {
        if (!stores.has(vectorStoreId)) return Effect.fail(Errors.vectorStoreNotFound(vectorStoreId))
        const gone = fileIds.find((id) => deletedFiles.has(id))
        if (gone !== undefined) return Effect.fail(Errors.fileNotFound(gone))
        const batch: BatchRecord = {
          id: newId("vsfb_"),
          vectorStoreId,
          createdAtMillis: now,
          fileIds,
          processing: {
            fileMillis: settings.fileMillis,
            parallelism: settings.parallelism,
            failureRatio: settings.failureRatio,
            cancelDelayMillis: settings.cancelDelayMillis
          },
          cancelRequestedAtMillis: undefined,
          removed: new Set()
        }
        batches.set(batch.id, batch)
        return Effect.succeed(batchJson(settings, batch, now))
      }),

    retrieveBatch: (vectorStoreId, batchId) =>
      withBatch(vectorStoreId, batchId, (batch, now) => Either.right(batchJson(settings, batch, now))),

    cancelBatch: (vectorStoreId, batchId) =>
      withBatch(vectorStoreId, batchId, (batch, now) => {
        const before = batchJson(settings, batch, now)
        if (isTerminalStatus(before.status)) {
          return settings.cancelTerminal === "error"
            ? Either.left(Errors.cannotCancel(batch.id, before.status))
            : Either.right(before)
        }
        if (batch.cancelRequestedAtMillis === undefined) batch.cancelRequestedAtMillis = now
        return Either.right(batchJson(settings, batch, now))
      }),

    listFiles: (vectorStoreId, batchId, query) =>
      withBatch(vectorStoreId, batchId, (batch, now) => listJson(batchMembers(batch, now), query)),

    listStoreFiles: (vectorStoreId, query) =>
      Effect.flatMap(progress.now, (now) =>
        stores.has(vectorStoreId)
          ? listJson(storeMembers(batches.values(), vectorStoreId, now), query)
          : Effect.fail(Errors.vectorStoreNotFound(vectorStoreId))),

    detachFile: (vectorStoreId, fileId) =>
      Effect.suspend(() =>
        stores.has(vectorStoreId)
          ? detach(batches.values(), vectorStoreId, fileId)
          : Effect.fail(Errors.vectorStoreNotFound(vectorStoreId))
      ),

    deleteFile: (fileId) => Effect.suspend(() => deleteEverywhere(batches.values(), deletedFiles, fileId))
  }
}
