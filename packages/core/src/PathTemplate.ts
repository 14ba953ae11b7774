/**
 * Paths of the API as templates (`/vector_stores/{vector_store_id}/file_batches`): split
 * once, filled with encoded IDs, and matched against raw request paths.
 *
 * @since 0.3.0
 */

/**
 * The path parameters of the API's paths, as OpenAI names them, and the field of a ref
 * that holds each.
 *
 * @since 0.3.0
 * @category constants
 */
export const pathParams = { vector_store_id: "vectorStoreId", batch_id: "batchId", file_id: "fileId" } as const

/**
 * @since 0.3.0
 * @category models
 */
export type PathParam = keyof typeof pathParams

type Segment = { readonly literal: string } | { readonly param: PathParam }

/**
 * A path template split once into literal and parameter segments.
 *
 * @since 0.3.0
 * @category models
 */
export type Template = ReadonlyArray<Segment>

/**
 * Splits a path template (`/a/{b}/c`) into segments.
 *
 * @since 0.3.0
 * @category templates
 */
export const compile = (path: string): Template =>
  path.split("/").slice(1).map((part): Segment => {
    const param = /^\{(\w+)\}$/.exec(part)?.[1]
    if (param === undefined) return { literal: part }
    if (!(param in pathParams)) throw new Error(`unknown path parameter {${param}}`)
    return { param: param as PathParam }
  })

/**
 * The path of a call below the base URL, every parameter encoded.
 *
 * @since 0.3.0
 * @category templates
 */
export const fill = (
  template: Template,
  ref: { readonly vectorStoreId?: string; readonly batchId?: string; readonly fileId?: string }
): string => {
  let path = ""
  for (const segment of template) {
    path += "/"
    path += "literal" in segment ? segment.literal : encodeURIComponent(ref[pathParams[segment.param]] ?? "")
  }
  return path
}

/**
 * What a raw request path is, by a table of operations: an operation with its raw (still
 * encoded) path parameters, or a path of the API that takes other methods.
 *
 * @since 0.3.0
 * @category models
 */
export type Match<Op> =
  | {
    readonly _tag: "Operation"
    readonly operation: Op
    readonly raw: Readonly<Partial<Record<PathParam, string>>>
  }
  | {
    readonly _tag: "WrongMethod"
    readonly allowed: ReadonlyArray<string>
    readonly raw: Readonly<Partial<Record<PathParam, string>>>
  }

/**
 * A matcher for raw request paths below `prefix` (e.g. `/v1`), built once from a table
 * of operations: segments compared one by one, no regular expression per request.
 *
 * @since 0.3.0
 * @category templates
 */
export const router = <Op extends { readonly method: string; readonly path: string }>(
  table: Readonly<Record<string, Op>>,
  prefix = ""
) => {
  const routes = Object.values(table).map((operation) => ({
    operation,
    segments: compile(`${prefix}${operation.path}`)
  }))
  return (method: string, path: string): Match<Op> | undefined => {
    const parts = path.split("/")
    if (parts[0] !== "") return undefined
    let wrongMethod:
      | { _tag: "WrongMethod"; allowed: Array<string>; raw: Partial<Record<PathParam, string>> }
      | undefined
    for (const route of routes) {
      if (route.segments.length !== parts.length - 1) continue
      const raw: Partial<Record<PathParam, string>> = {}
      let matches = true
      for (let i = 0; i < route.segments.length && matches; i++) {
        const segment = route.segments[i]
        const part = parts[i + 1]
        if ("literal" in segment) matches = part === segment.literal
        else if (part === "") matches = false
        else raw[segment.param] = part
      }
      if (!matches) continue
      if (route.operation.method === method) return { _tag: "Operation", operation: route.operation, raw }
      if (wrongMethod === undefined) wrongMethod = { _tag: "WrongMethod", allowed: [], raw }
      wrongMethod.allowed.push(route.operation.method)
    }
    return wrongMethod
  }
}
