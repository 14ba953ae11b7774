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
import {
  type BatchRecord,
  type Counts,
  countsAt,
  type FileStatus,
  fileStatus,
  isTerminalStatus,
  statusAt
} from "./internal/lifecycle.js"
import { type ListFilesQuery, pageOf } from "./internal/listPage.js"
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

const fileJson = (batch: BatchRecord, index: number, now: number) => {
  const status: FileStatus = fileStatus(batch, index, now)
  return {
    id: batch.fileIds[index],
    object: "vector_store.file",
    usage_bytes: status === "completed" ? 1024 + ((index * 7919) % 4096) : 0,
    created_at: seconds(batch.createdAtMillis),
    vector_store_id: batch.vectorStoreId,
    status,
    last_error: status === "failed"
      ? { code: "server_error", message: "The file could not be processed." }
      : null
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
          cancelRequestedAtMillis: undefined
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
      withBatch(vectorStoreId, batchId, (batch, now): Either.Either<Record<string, unknown>, ApiError> => {
        const page = pageOf(batch, now, query)
        if (Either.isLeft(page)) return Either.left(page.left)
        const { hasMore, selected } = page.right
        const data = selected.map((i) => fileJson(batch, i, now))
        return Either.right({
          object: "list",
          data,
          first_id: data.length > 0 ? data[0].id : null,
          last_id: data.length > 0 ? data[data.length - 1].id : null,
          has_more: hasMore
        })
      })
  }
}
