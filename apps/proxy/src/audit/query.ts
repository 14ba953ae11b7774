/** `GET /audit`'s query string, checked: which records, or what is wrong with it. */
import { Either } from "effect"
import type { AuditQuery } from "./record.js"

export const defaultLimit = 100
export const maxLimit = 10_000

const known = new Set(["vector_store_id", "batch_id", "key", "since", "limit"])

/** `since`: an ISO 8601 time, or milliseconds since the epoch. */
const millisOf = (text: string): number | undefined => {
  if (/^\d+$/.test(text)) return Number(text)
  const millis = Date.parse(text)
  return Number.isNaN(millis) ? undefined : millis
}

export const parseQuery = (search: string): Either.Either<AuditQuery, string> => {
  const params = new URLSearchParams(search)
  for (const name of params.keys()) {
    if (!known.has(name)) return Either.left(`unknown parameter ${JSON.stringify(name)}: ${[...known].join(", ")}`)
  }
  const text = (name: string) => {
    const value = params.get(name)
    return value === null || value === "" ? undefined : value
  }
  const since = text("since")
  const sinceMillis = since === undefined ? undefined : millisOf(since)
  if (since !== undefined && sinceMillis === undefined) {
    return Either.left("since must be an ISO 8601 time or milliseconds since the epoch")
  }
  const limitText = text("limit")
  const limit = limitText === undefined ? defaultLimit : Number(limitText)
  if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) {
    return Either.left(`limit must be a whole number from 1 to ${maxLimit}`)
  }
  return Either.right({
    vectorStoreId: text("vector_store_id"),
    batchId: text("batch_id"),
    key: text("key"),
    sinceMillis,
    limit
  })
}
