/** Reading and checking request bodies. */
import type { HttpServerRequest } from "@effect/platform"
import { CreateFileBatch, FileBatchId, Operation } from "@filebatch/core"
import { Effect, Either, Schema } from "effect"
import * as Errors from "./apiError.js"
import type { ApiError } from "./apiError.js"

export const readJsonBody = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.flatMap(request.text, (text) =>
    Effect.try({
      try: () => (text.trim() === "" ? {} : JSON.parse(text)) as unknown,
      catch: () => Errors.badJson
    })).pipe(Effect.catchTag("RequestError", () => Effect.fail(Errors.badJson)))

export const fileIdsOf = (body: unknown): Either.Either<ReadonlyArray<string>, ApiError> => {
  const record = typeof body === "object" && body !== null ? body as Record<string, unknown> : {}
  const ids = Array.isArray(record["file_ids"])
    ? record["file_ids"]
    : Array.isArray(record["files"])
    ? (record["files"] as Array<unknown>).map((f) =>
      typeof f === "object" && f !== null ? (f as Record<string, unknown>)["file_id"] : undefined
    )
    : undefined
  if (ids === undefined) {
    return Either.left(
      Errors.apiError(400, "Missing required parameter: 'file_ids'.", {
        param: "file_ids",
        code: "missing_required_parameter"
      })
    )
  }
  if (ids.length < 1 || ids.length > 2000) {
    return Either.left(
      Errors.apiError(400, `Invalid 'file_ids': expected between 1 and 2000 files, got ${ids.length}.`, {
        param: "file_ids",
        code: "invalid_value"
      })
    )
  }
  const bad = ids.find((id) => typeof id !== "string" || FileBatchId.idProblem(id) !== undefined)
  if (bad !== undefined) {
    return Either.left(
      Errors.apiError(400, `Invalid 'file_ids': ${JSON.stringify(bad)} is not a file ID.`, {
        param: "file_ids",
        code: "invalid_value"
      })
    )
  }
  return Either.flatMap(checkOptions(record), () => Either.right(ids as ReadonlyArray<string>))
}

const decodeCreate = Schema.decodeUnknownEither(CreateFileBatch.CreateFileBatchPayload)

/**
 * The rest of a `file_ids` request (`attributes`, `chunking_strategy`) as the spec allows it,
 * checked with core's schema of the request; a per-file `files` request has its options per file.
 */
const checkOptions = (record: Record<string, unknown>): Either.Either<void, ApiError> => {
  if (record["files"] !== undefined) return Either.void
  const decoded = decodeCreate(record)
  if (Either.isRight(decoded)) return Either.void
  const { message, param } = Operation.firstIssue(decoded.left)
  return Either.left(Errors.apiError(400, `Invalid '${param}': ${message}`, { param, code: "invalid_value" }))
}
