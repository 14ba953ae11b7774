/** The API's routes, from core's table of operations, the checks of their IDs, and the bearer key of a request. */
import { FileBatchApi, FileBatchId, PathTemplate } from "@filebatch/core"
import { Either } from "effect"
import type { Operation as FaultOperation } from "../Fault.js"
import * as Errors from "./apiError.js"
import type { ApiError } from "./apiError.js"

/** Each operation of core's table as fault rules name it. */
const faultNames: Readonly<Record<FileBatchApi.OperationName, FaultOperation>> = {
  cancel: "cancel",
  retrieve: "retrieve",
  listFiles: "list_files",
  createFileBatch: "create_batch",
  listVectorStoreFiles: "list_store_files",
  deleteVectorStoreFile: "detach_file",
  deleteFile: "delete_file"
}

/** The prefix the API gives each kind of ID (files here are named by whoever made the batch). */
const prefixes: Readonly<Record<PathTemplate.PathParam, string>> = {
  vector_store_id: "vs_",
  batch_id: "vsfb_",
  file_id: ""
}

/** What a route does: one of core's operations, or the emulator's own seeding of a vector store. */
export type RouteName = FileBatchApi.OperationName | "createVectorStore"

/** A request's route: the operation, or the methods its path takes. */
export type Route =
  | {
    readonly _tag: "Operation"
    readonly name: RouteName
    /** The operation as fault rules and the request log name it. */
    readonly operation: FaultOperation
    readonly raw: Readonly<Partial<Record<PathTemplate.PathParam, string>>>
  }
  | { readonly _tag: "WrongMethod"; readonly allowed: ReadonlyArray<string> }

const matchApi = PathTemplate.router(FileBatchApi.operations, "/v1")

/** Routes the raw path; IDs are still encoded. Creating a vector store is the emulator's own, to seed batches. */
export const routeOf = (method: string, path: string): Route | undefined => {
  if (path === "/v1/vector_stores") {
    return method === "POST"
      ? { _tag: "Operation", name: "createVectorStore", operation: "create_vector_store", raw: {} }
      : { _tag: "WrongMethod", allowed: ["POST"] }
  }
  const match = matchApi(method, path)
  if (match === undefined || match._tag === "WrongMethod") return match
  const name = match.operation.name
  return { _tag: "Operation", name, operation: faultNames[name], raw: match.raw }
}

/** One path parameter decoded and checked as the API checks it: characters, length, prefix. */
export const checkId = (param: PathTemplate.PathParam, raw: string): Either.Either<string, ApiError> => {
  let value: string
  try {
    value = decodeURIComponent(raw)
  } catch {
    return Either.left(Errors.badIdCharacters(param, raw))
  }
  if (value.length > FileBatchId.maxIdLength) {
    return Either.left(Errors.badIdLength(param, value, FileBatchId.maxIdLength))
  }
  if (!FileBatchId.idPattern.test(value)) return Either.left(Errors.badIdCharacters(param, value))
  if (!value.startsWith(prefixes[param])) return Either.left(Errors.badIdPrefix(param, value, prefixes[param]))
  return Either.right(value)
}

export const bearer = (header: string | undefined): string | undefined => {
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i)
  return match?.[1]
}
