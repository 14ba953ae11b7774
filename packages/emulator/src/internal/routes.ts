/** The API's routes by path shape, the checks of their IDs, and the bearer key of a request. */
import { Either } from "effect"
import type { Operation } from "../Fault.js"
import * as Errors from "./apiError.js"
import type { ApiError } from "./apiError.js"

interface Route {
  readonly operation: Operation
  readonly method: "GET" | "POST"
  readonly vectorStoreId?: string
  readonly batchId?: string
}

const maxIdLength = 64

/** Matches the raw path by shape; IDs are still encoded. */
export const matchShape = (segments: ReadonlyArray<string>):
  | Omit<Route, "vectorStoreId" | "batchId"> & {
    rawStore?: string
    rawBatch?: string
  }
  | undefined =>
{
  const [empty, version, collection, store, sub, batch, action, ...rest] = segments
  if (empty !== "" || version !== "v1" || collection !== "vector_stores" || rest.length > 0) return undefined
  if (store === undefined) return { operation: "create_vector_store", method: "POST" }
  if (sub !== "file_batches" || store === "") return undefined
  if (batch === undefined) return { operation: "create_batch", method: "POST", rawStore: store }
  if (batch === "") return undefined
  if (action === undefined) return { operation: "retrieve", method: "GET", rawStore: store, rawBatch: batch }
  if (action === "cancel") return { operation: "cancel", method: "POST", rawStore: store, rawBatch: batch }
  if (action === "files") return { operation: "list_files", method: "GET", rawStore: store, rawBatch: batch }
  return undefined
}

export const checkId = (param: string, raw: string, prefix: string): Either.Either<string, ApiError> => {
  let value: string
  try {
    value = decodeURIComponent(raw)
  } catch {
    return Either.left(Errors.badIdCharacters(param, raw))
  }
  if (value.length > maxIdLength) return Either.left(Errors.badIdLength(param, value, maxIdLength))
  if (!/^[A-Za-z0-9_-]+$/.test(value)) return Either.left(Errors.badIdCharacters(param, value))
  if (!value.startsWith(prefix)) return Either.left(Errors.badIdPrefix(param, value, prefix))
  return Either.right(value)
}

export const bearer = (header: string | undefined): string | undefined => {
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i)
  return match?.[1]
}
