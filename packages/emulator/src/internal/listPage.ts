import { FileBatch } from "@filebatch/core"
import { Either } from "effect"
import * as Errors from "./apiError.js"
import type { ApiError } from "./apiError.js"

/**
 * Query of the list-files operation.
 *
 * @since 0.1.0
 * @category models
 */
export interface ListFilesQuery {
  readonly limit?: string | undefined
  readonly order?: string | undefined
  readonly after?: string | undefined
  readonly before?: string | undefined
  readonly filter?: string | undefined
}

const statusList = FileBatch.KnownStatus.literals.map((status) => `'${status}'`).join(", ")

/**
 * A listed file: its ID and status now.
 */
export interface Listed {
  readonly id: string
  readonly status: string
}

/**
 * The files on one page of a list (a batch's or a store's, oldest first), after the
 * query's checks, in OpenAI's order and cursor semantics.
 */
export const pageOf = <A extends Listed>(
  oldestFirst: ReadonlyArray<A>,
  query: ListFilesQuery
): Either.Either<{ readonly selected: ReadonlyArray<A>; readonly hasMore: boolean }, ApiError> => {
  const limit = query.limit === undefined ? 20 : Number(query.limit)
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    return Either.left(
      Errors.apiError(400, `Invalid 'limit': integer must be between 1 and 100, got ${query.limit}.`, {
        param: "limit",
        code: "invalid_value"
      })
    )
  }
  const order = query.order ?? "desc"
  if (order !== "asc" && order !== "desc") {
    return Either.left(
      Errors.apiError(400, `Invalid 'order': expected one of 'asc' or 'desc', got '${order}'.`, {
        param: "order",
        code: "invalid_value"
      })
    )
  }
  const filter = query.filter
  if (filter !== undefined && !FileBatch.isKnownStatus(filter)) {
    return Either.left(
      Errors.apiError(
        400,
        `Invalid 'filter': expected one of ${statusList}, got '${filter}'.`,
        { param: "filter", code: "invalid_value" }
      )
    )
  }
  const ordered = order === "desc" ? [...oldestFirst].reverse() : oldestFirst
  let selected = ordered.filter((file) => filter === undefined || file.status === filter)
  const position = (cursor: string, param: string): Either.Either<number, ApiError> => {
    const at = selected.findIndex((file) => file.id === cursor)
    return at >= 0 ? Either.right(at) : Either.left(
      Errors.apiError(400, `Invalid '${param}': no file '${cursor}' in this list.`, {
        param,
        code: "invalid_value"
      })
    )
  }
  if (query.after !== undefined) {
    const at = position(query.after, "after")
    if (Either.isLeft(at)) return Either.left(at.left)
    selected = selected.slice(at.right + 1)
  }
  let hasMore: boolean
  if (query.before !== undefined) {
    const at = position(query.before, "before")
    if (Either.isLeft(at)) return Either.left(at.left)
    selected = selected.slice(0, at.right)
    hasMore = selected.length > limit
    selected = selected.slice(-limit)
  } else {
    hasMore = selected.length > limit
    selected = selected.slice(0, limit)
  }
  return Either.right({ selected, hasMore })
}
