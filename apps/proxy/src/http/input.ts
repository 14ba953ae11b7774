/**
 * A request's query and JSON body, decoded with its operation's schemas before anything
 * is spent upstream; a 400 naming the parameter otherwise, in OpenAI's words where it has them.
 */
import { Operation } from "@filebatch/core"
import { Either, type ParseResult, Schema } from "effect"
import { type Answer, errorAnswer } from "../answers.js"

type Decoder = (input: unknown) => Either.Either<unknown, ParseResult.ParseError>

// One decoder per schema, made on its first use.
const decoders = new WeakMap<Schema.Schema.Any, Decoder>()
const decoderOf = (schema: Schema.Schema.Any, options: { readonly onExcessProperty: "ignore" | "error" }) => {
  let decode = decoders.get(schema)
  if (decode === undefined) {
    decode = Schema.decodeUnknownEither(schema as Schema.Schema<unknown, unknown>, options)
    decoders.set(schema, decode)
  }
  return decode
}

const invalid = (error: ParseResult.ParseError): Answer => {
  const { message, param } = Operation.firstIssue(error)
  return errorAnswer(400, `Invalid '${param}': ${message}.`, { param, code: "invalid_value" })
}

/** The query of `url`, decoded from its text; parameters the operation does not know are ignored, as OpenAI does. */
export const queryOf = (
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any operation's query
  schema: Schema.Schema<any, Operation.QueryText>,
  url: string
): Either.Either<unknown, Answer> => {
  const at = url.indexOf("?")
  const text = Object.fromEntries(new URLSearchParams(at >= 0 ? url.slice(at + 1) : ""))
  return Either.mapLeft(decoderOf(schema, { onExcessProperty: "ignore" })(text), invalid)
}

const badJson = () =>
  errorAnswer(
    400,
    "We could not parse the JSON body of your request. The API expects a JSON payload, but what was sent was not valid JSON."
  )

/** The JSON body, decoded; a field the operation does not take is refused, as OpenAI does. */
export const payloadOf = (schema: Schema.Schema.Any, text: string): Either.Either<unknown, Answer> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return Either.left(badJson())
  }
  return Either.mapLeft(decoderOf(schema, { onExcessProperty: "error" })(json), invalid)
}
