/**
 * A request's query and JSON body, decoded with its operation's schemas before anything
 * is spent upstream; a 400 naming the parameter otherwise, in OpenAI's words where it has them.
 */
import { Operation } from "@filebatch/core"
import { Either, type ParseResult, Schema } from "effect"
import { type Answer, errorAnswer, invalidParam } from "../answers.js"

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
  return invalidParam(param, message)
}

/**
 * The query of `url`, decoded from its text. Parameters an API operation does not know are
 * ignored, as OpenAI does (`ignore`); the proxy's own routes refuse them (`error`), so that
 * a misspelt filter is not silently dropped, and take an empty value as absent.
 */
export const queryOf = (
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any route's query
  schema: Schema.Schema<any, Operation.QueryText>,
  url: string,
  unknownParameters: "ignore" | "error" = "ignore"
): Either.Either<unknown, Answer> => {
  const at = url.indexOf("?")
  const text: Record<string, string> = {}
  if (at >= 0) {
    for (const [name, value] of new URLSearchParams(url.slice(at + 1))) {
      if (value !== "" || unknownParameters === "ignore") text[name] = value
    }
  }
  return Either.mapLeft(decoderOf(schema, { onExcessProperty: unknownParameters })(text), invalid)
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
