/** The files of batches and stores, as lists, and as they leave: detached from a store, or their File deleted. */
import { Either } from "effect"
import * as Errors from "./apiError.js"
import type { ApiError } from "./apiError.js"
import { type BatchRecord, fileStatus } from "./lifecycle.js"
import { type ListFilesQuery, pageOf } from "./listPage.js"

/** One file of one batch, still in it. */
interface Member {
  readonly batch: BatchRecord
  readonly index: number
  readonly id: string
  readonly status: string
}

const seconds = (millis: number) => Math.floor(millis / 1000)

const memberJson = ({ batch, index, status }: Member) => ({
  id: batch.fileIds[index],
  object: "vector_store.file",
  usage_bytes: status === "completed" ? 1024 + ((index * 7919) % 4096) : 0,
  created_at: seconds(batch.createdAtMillis),
  vector_store_id: batch.vectorStoreId,
  status,
  last_error: status === "failed"
    ? { code: "server_error", message: "The file could not be processed." }
    : null
})

/** A batch's files still in it, oldest first (files share the batch's created_at: index order stands in). */
export const batchMembers = (batch: BatchRecord, now: number): Array<Member> => {
  const members: Array<Member> = []
  for (let index = 0; index < batch.fileIds.length; index++) {
    if (batch.removed.has(index)) continue
    members.push({ batch, index, id: batch.fileIds[index], status: fileStatus(batch, index, now) })
  }
  return members
}

/** A store's files, oldest first: a file attached again by a later batch is that batch's. */
export const storeMembers = (batches: Iterable<BatchRecord>, vectorStoreId: string, now: number): Array<Member> => {
  const byFile = new Map<string, Member>()
  for (const batch of batches) {
    if (batch.vectorStoreId !== vectorStoreId) continue
    for (const member of batchMembers(batch, now)) {
      byFile.delete(member.id)
      byFile.set(member.id, member)
    }
  }
  return [...byFile.values()]
}

/** One page of a list, in the API's JSON. */
export const listJson = (
  oldestFirst: ReadonlyArray<Member>,
  query: ListFilesQuery
): Either.Either<Record<string, unknown>, ApiError> =>
  Either.map(pageOf(oldestFirst, query), ({ hasMore, selected }) => {
    const data = selected.map(memberJson)
    return {
      object: "list",
      data,
      first_id: data.length > 0 ? data[0].id : null,
      last_id: data.length > 0 ? data[data.length - 1].id : null,
      has_more: hasMore
    }
  })

/**
 * Takes the file out of every batch that `within` keeps: whether any of them named it, and
 * whether any still held it.
 */
const takeOut = (batches: Iterable<BatchRecord>, fileId: string, within: (batch: BatchRecord) => boolean) => {
  let named = false
  let held = false
  for (const batch of batches) {
    if (!within(batch)) continue
    batch.fileIds.forEach((id, index) => {
      if (id !== fileId) return
      named = true
      if (batch.removed.has(index)) return
      held = true
      batch.removed.add(index)
    })
  }
  return { named, held }
}

/** Takes the file out of the store's batches: it leaves their lists and counts; the File stays. */
export const detach = (
  batches: Iterable<BatchRecord>,
  vectorStoreId: string,
  fileId: string
): Either.Either<Record<string, unknown>, ApiError> =>
  takeOut(batches, fileId, (batch) => batch.vectorStoreId === vectorStoreId).held
    ? Either.right({ id: fileId, object: "vector_store.file.deleted", deleted: true })
    : Either.left(Errors.apiError(404, `No file found with id '${fileId}' in vector store '${vectorStoreId}'.`))

/** Deletes the File: it leaves every store. A File is known from the batches that named it. */
export const deleteEverywhere = (
  batches: Iterable<BatchRecord>,
  deleted: Set<string>,
  fileId: string
): Either.Either<Record<string, unknown>, ApiError> => {
  const { named } = takeOut(batches, fileId, () => true)
  if (!named || deleted.has(fileId)) return Either.left(Errors.fileNotFound(fileId))
  deleted.add(fileId)
  return Either.right({ id: fileId, object: "file", deleted: true })
}
