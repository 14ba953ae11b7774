/**
 * The contract of the file batch operations, stated once: method, path template (as in
 * OpenAI's spec), parameters, answer and error statuses. Core's client builds its
 * requests from it; the proxy derives its routes and its OpenAPI document from it, so
 * an operation is one entry here.
 *
 * Plain data and Schemas on purpose: `@effect/platform`'s `HttpApi` modules, which the
 * proxy builds from this table, would add to every CLI start-up.
 *
 * @since 0.2.0
 */
import { Schema, SchemaAST } from "effect"
import { VectorStoreFileBatch } from "./FileBatch.js"
import { type FileBatchRef, idPattern, maxIdLength } from "./FileBatchId.js"
import { ListFilesQuery, VectorStoreFileList } from "./VectorStoreFile.js"

/**
 * One operation of the API.
 *
 * @since 0.2.0
 * @category models
 */
export interface OperationSpec {
  readonly method: "GET" | "POST"
  /** Below the API's base URL (`…/v1`), parameters in braces: `{vector_store_id}`, `{batch_id}`. */
  readonly path: string
  /** OpenAI's operationId. */
  readonly operationId: string
  readonly summary: string
  /** The query's schema, for operations that take one. */
  readonly query?: Schema.Schema.Any
  /** The answer's schema. */
  readonly success: Schema.Schema.Any
  /** Statuses of OpenAI's error answers for it, passed on as they come. */
  readonly upstreamErrors: ReadonlyArray<number>
}

const idParam = Schema.String.pipe(
  Schema.pattern(idPattern),
  Schema.maxLength(maxIdLength),
  Schema.annotations({ description: `Letters, digits, '_' and '-', at most ${maxIdLength} characters` })
)

/**
 * The path parameters of one batch, as OpenAI names them.
 *
 * @since 0.2.0
 * @category schemas
 */
export const BatchPathParams = Schema.Struct({ vector_store_id: idParam, batch_id: idParam })

/**
 * OpenAI's error answer.
 *
 * @since 0.2.0
 * @category schemas
 */
export const ErrorResponse = Schema.Struct({
  error: Schema.Struct({
    message: Schema.String,
    type: Schema.String,
    param: Schema.NullOr(Schema.String),
    code: Schema.NullOr(Schema.String)
  })
}).annotations({
  identifier: "ErrorResponse",
  // Kept where HttpApi annotates the schema with a status (that drops `identifier`): one named component.
  [SchemaAST.JSONIdentifierAnnotationId]: "ErrorResponse",
  description: "OpenAI's error shape"
})

const upstreamErrors = [400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 504]

/**
 * Every operation, by name.
 *
 * @since 0.2.0
 * @category contract
 */
export const operations = {
  cancel: {
    method: "POST",
    path: "/vector_stores/{vector_store_id}/file_batches/{batch_id}/cancel",
    operationId: "cancelVectorStoreFileBatch",
    summary: "Cancel a vector store file batch; cancellation is asynchronous",
    success: VectorStoreFileBatch,
    upstreamErrors
  },
  retrieve: {
    method: "GET",
    path: "/vector_stores/{vector_store_id}/file_batches/{batch_id}",
    operationId: "getVectorStoreFileBatch",
    summary: "Retrieve a vector store file batch, to follow a cancellation",
    success: VectorStoreFileBatch,
    upstreamErrors
  },
  listFiles: {
    method: "GET",
    path: "/vector_stores/{vector_store_id}/file_batches/{batch_id}/files",
    operationId: "listFilesInVectorStoreBatch",
    summary: "List the files of a batch (filter, limit, order, after, before), to see which a cancel stopped",
    query: ListFilesQuery,
    success: VectorStoreFileList,
    upstreamErrors
  }
} as const satisfies Record<string, OperationSpec>

/**
 * The name of an operation.
 *
 * @since 0.2.0
 * @category models
 */
export type OperationName = keyof typeof operations

type Segment = { readonly literal: string } | { readonly param: "vector_store_id" | "batch_id" }

/**
 * A path template split once into literal and parameter segments.
 *
 * @since 0.2.0
 * @category models
 */
export type Template = ReadonlyArray<Segment>

/**
 * Splits a path template (`/a/{b}/c`) into segments.
 *
 * @since 0.2.0
 * @category templates
 */
export const compile = (path: string): Template =>
  path.split("/").slice(1).map((part): Segment => {
    const param = /^\{(\w+)\}$/.exec(part)?.[1]
    if (param === undefined) return { literal: part }
    if (param !== "vector_store_id" && param !== "batch_id") throw new Error(`unknown path parameter {${param}}`)
    return { param }
  })

/**
 * The path of a batch operation below the base URL, every parameter encoded.
 *
 * @since 0.2.0
 * @category templates
 */
export const fill = (template: Template, ref: FileBatchRef): string => {
  let path = ""
  for (const segment of template) {
    path += "/"
    path += "literal" in segment
      ? segment.literal
      : encodeURIComponent(segment.param === "vector_store_id" ? ref.vectorStoreId : ref.batchId)
  }
  return path
}

/**
 * What a raw request path is, by the table: an operation with its raw (still encoded)
 * parameters, or a path of the API that takes other methods.
 *
 * @since 0.2.0
 * @category models
 */
export type Match<Name extends string> =
  | { readonly _tag: "Operation"; readonly name: Name; readonly rawVectorStoreId: string; readonly rawBatchId: string }
  | {
    readonly _tag: "WrongMethod"
    readonly allowed: ReadonlyArray<string>
    readonly rawVectorStoreId: string
    readonly rawBatchId: string
  }

/**
 * A matcher for raw request paths below `prefix` (e.g. `/v1`), built once from a table
 * of operations: segments compared one by one, no regular expression per request.
 *
 * @since 0.2.0
 * @category templates
 */
export const router = <Name extends string>(
  table: Readonly<Record<Name, OperationSpec>>,
  prefix = ""
) => {
  const routes = (Object.keys(table) as Array<Name>).map((name) => ({
    name,
    method: table[name].method,
    segments: compile(`${prefix}${table[name].path}`)
  }))
  return (method: string, path: string): Match<Name> | undefined => {
    const parts = path.split("/")
    let wrongMethod:
      | { _tag: "WrongMethod"; allowed: Array<string>; rawVectorStoreId: string; rawBatchId: string }
      | undefined
    for (const route of routes) {
      if (route.segments.length !== parts.length - 1 || parts[0] !== "") continue
      let rawVectorStoreId = ""
      let rawBatchId = ""
      let matches = true
      for (let i = 0; i < route.segments.length && matches; i++) {
        const segment = route.segments[i]
        const part = parts[i + 1]
        if ("literal" in segment) matches = part === segment.literal
        else if (part === "") matches = false
        else if (segment.param === "vector_store_id") rawVectorStoreId = part
        else rawBatchId = part
      }
      if (!matches) continue
      if (route.method === method) {
        return { _tag: "Operation", name: route.name, rawVectorStoreId, rawBatchId }
      }
      if (wrongMethod === undefined) wrongMethod = { _tag: "WrongMethod", allowed: [], rawVectorStoreId, rawBatchId }
      wrongMethod.allowed.push(route.method)
    }
    return wrongMethod
  }
}
