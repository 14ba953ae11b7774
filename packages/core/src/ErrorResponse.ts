/**
 * OpenAI's error body, `{ "error": { message, type, param, code } }`: its schema, how to
 * write one and how to read one. Core reads it, and the proxy and the emulator write it,
 * from this one module.
 *
 * @since 0.3.0
 */
import { Schema, SchemaAST } from "effect"

/**
 * OpenAI's error answer.
 *
 * @since 0.3.0
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

/**
 * The fields of an error.
 *
 * @since 0.3.0
 * @category models
 */
export type ErrorFields = typeof ErrorResponse.Type["error"]

/**
 * An error's fields; `type` defaults as OpenAI's do: `server_error` for 5xx,
 * `invalid_request_error` otherwise.
 *
 * @since 0.3.0
 * @category constructors
 */
export const make = (
  status: number,
  message: string,
  options: { readonly type?: string | undefined; readonly param?: string | null; readonly code?: string | null } = {}
): ErrorFields => ({
  message,
  type: options.type ?? (status >= 500 ? "server_error" : "invalid_request_error"),
  param: options.param ?? null,
  code: options.code ?? null
})

/**
 * The body's JSON text.
 *
 * @since 0.3.0
 * @category encoding
 */
export const encode = (fields: ErrorFields): string => JSON.stringify({ error: fields })

/**
 * What an answer's body says of the error, as far as it says it: any field may be missing
 * or of another type in a body that does not follow the shape.
 *
 * @since 0.3.0
 * @category decoding
 */
export const read = (json: unknown): {
  readonly message?: string
  readonly type?: string
  readonly param?: string | null
  readonly code?: string | null
} => {
  if (typeof json !== "object" || json === null) return {}
  const error = (json as Record<string, unknown>)["error"]
  if (typeof error !== "object" || error === null) return {}
  const fields = error as Record<string, unknown>
  const text = (value: unknown) => typeof value === "string" ? value : undefined
  const textOrNull = (value: unknown) => typeof value === "string" ? value : value === null ? null : undefined
  const message = text(fields["message"])
  const type = text(fields["type"])
  const param = textOrNull(fields["param"])
  const code = textOrNull(fields["code"])
  return {
    ...(message !== undefined && message !== "" ? { message } : {}),
    ...(type !== undefined ? { type } : {}),
    ...(param !== undefined ? { param } : {}),
    ...(code !== undefined ? { code } : {})
  }
}

/**
 * A key as OpenAI shows it in an error: its first 3 and last 4 characters, stars between.
 *
 * @since 0.3.0
 * @category encoding
 */
export const maskKey = (key: string): string =>
  key.length <= 8
    ? "*".repeat(key.length)
    : `${key.slice(0, 3)}${"*".repeat(Math.min(key.length - 7, 20))}${key.slice(-4)}`
