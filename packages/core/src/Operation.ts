/**
 * One operation of the API as one value: its request line, the schemas of its path,
 * query, payload and answer, and whether it may be sent twice. The client, the proxy and
 * the emulator serve every operation from its descriptor, so adding one is one module
 * under `operations/` and one entry in `FileBatchApi.operations`.
 *
 * @since 0.3.0
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- a table holds operations of any schemas, as Effect's own `Any` types do */
import { Either, ParseResult, Schema } from "effect"
import { InvalidArgumentError } from "./FileBatchError.js"
import { idPattern, maxIdLength } from "./FileBatchId.js"
import { compile, type Template } from "./PathTemplate.js"

/**
 * The IDs a path names, in core's spelling.
 *
 * @since 0.3.0
 * @category models
 */
export interface Ref {
  readonly vectorStoreId?: string
  readonly batchId?: string
  readonly fileId?: string
}

/**
 * Whether a call may be sent again when its first attempt failed: `safe` when sending it
 * twice does what sending it once does (a cancel, a read); `once` when a second send may
 * do it twice (a create), so it is repeated only where the failure proves that nothing
 * was done.
 *
 * @since 0.3.0
 * @category models
 */
export type Replay = "safe" | "once"

/**
 * A query as it travels: every value a string.
 *
 * @since 0.3.0
 * @category models
 */
export type QueryText = Readonly<Record<string, string | undefined>>

/**
 * One operation of the API.
 *
 * @since 0.3.0
 * @category models
 */
export interface Operation<Name extends string, R extends Ref, Q, P, A> {
  readonly name: Name
  readonly method: "GET" | "POST" | "DELETE"
  /** Below the API's base URL (`…/v1`), parameters in braces, as in OpenAI's spec. */
  readonly path: string
  readonly template: Template
  /** OpenAI's operationId. */
  readonly operationId: string
  readonly summary: string
  /** The path parameters, each with the ID rule, as OpenAI names them. */
  readonly params: Schema.Schema<Readonly<Record<string, string>>, Readonly<Record<string, string>>>
  /** What is wrong with a call's IDs (each ID's rule, a swapped pair), if anything. */
  readonly checkRef: (ref: R) => InvalidArgumentError | undefined
  /** The query, decoded from its text; absent when the operation takes none. */
  readonly query: [Q] extends [never] ? undefined : Schema.Schema<Q, QueryText>
  /** The JSON body; absent when the operation sends none. */
  readonly payload: [P] extends [never] ? undefined : Schema.Schema<P>
  /** The answer: the client decodes with it, and the proxy documents it. */
  readonly success: Schema.Schema<A, any>
  /** What the answer is called in an error: "a file batch". */
  readonly what: string
  /** The answer from JSON, synchronously; unknown extra fields are dropped: the API adds fields over time. */
  readonly decode: (json: unknown) => Either.Either<A, ParseResult.ParseError>
  readonly replay: Replay
  /**
   * For a delete: the answer that a 404 to a resent call stands for. The first attempt
   * may have deleted it before its answer was lost, so "not found" then means done.
   */
  readonly goneWhenResent?: ((ref: R) => A) | undefined
  /** Identical calls in flight at once may share one upstream call. */
  readonly coalesce: boolean
  /** Statuses of OpenAI's error answers for it, passed on as they come. */
  readonly upstreamErrors: ReadonlyArray<number>
}

/**
 * Any operation.
 *
 * @since 0.3.0
 * @category models
 */
export interface Any extends Omit<Operation<string, any, any, any, any>, "query" | "payload"> {
  readonly query: Schema.Schema<any, QueryText> | undefined
  readonly payload: Schema.Schema<any> | undefined
}

/**
 * What one call of an operation takes: the IDs, and its query or payload when it has one.
 *
 * @since 0.3.0
 * @category models
 */
export type Input<Op extends Any> = Op extends {
  readonly checkRef: (ref: infer R) => unknown
  readonly query: infer QuerySchema
  readonly payload: infer PayloadSchema
} ?
    & { readonly ref: R }
    & (QuerySchema extends Schema.Schema<infer Q, any> ? { readonly query?: Q | undefined } : {})
    & (PayloadSchema extends Schema.Schema<infer P, any> ? { readonly payload: P } : {})
  : never

/**
 * The decoded answer of an operation.
 *
 * @since 0.3.0
 * @category models
 */
export type Success<Op extends Any> = Op["success"] extends Schema.Schema<infer A, any> ? A : never

/**
 * An ID in a path: the characters and length core accepts, stated where OpenAPI can show them.
 *
 * @since 0.3.0
 * @category schemas
 */
export const IdParam = Schema.String.pipe(
  Schema.pattern(idPattern),
  Schema.minLength(1),
  Schema.maxLength(maxIdLength),
  Schema.annotations({ description: `Letters, digits, '_' and '-', at most ${maxIdLength} characters` })
)

/**
 * Describes an operation; its template, path schema and answer decoder are derived.
 *
 * @since 0.3.0
 * @category constructors
 */
export const make = <const Name extends string, R extends Ref, A, Q = never, P = never>(
  spec: Omit<Operation<Name, R, Q, P, A>, "template" | "query" | "payload" | "params" | "decode"> & {
    readonly query?: Schema.Schema<Q, QueryText> | undefined
    readonly payload?: Schema.Schema<P> | undefined
  }
): Operation<Name, R, Q, P, A> => {
  const template = compile(spec.path)
  const fields: Record<string, typeof IdParam> = {}
  for (const segment of template) if ("param" in segment) fields[segment.param] = IdParam
  return {
    ...spec,
    template,
    params: Schema.Struct(fields),
    decode: Schema.decodeUnknownEither(spec.success, { onExcessProperty: "ignore" }),
    query: spec.query as Operation<Name, R, Q, P, A>["query"],
    payload: spec.payload as Operation<Name, R, Q, P, A>["payload"]
  }
}

/**
 * The first problem of a decoding, as the parameter at fault and a sentence.
 *
 * @since 0.3.0
 * @category decoding
 */
export const firstIssue = (error: ParseResult.ParseError): { readonly param: string; readonly message: string } => {
  const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  const path = issue?.path ?? []
  return {
    param: path.length === 0 ? "body" : path.map((part, i) => i === 0 ? String(part) : `[${String(part)}]`).join(""),
    message: issue?.message ?? "invalid value"
  }
}

/**
 * The query of a call as text, checked against the operation's schema: the text, or the
 * error naming the parameter.
 *
 * @since 0.3.0
 * @category encoding
 */
export const encodeQuery = <Q>(
  schema: Schema.Schema<Q, QueryText>,
  query: Q
): Either.Either<QueryText, InvalidArgumentError> =>
  Either.mapLeft(Schema.encodeEither(schema)(query), (error) => {
    const { message, param } = firstIssue(error)
    return new InvalidArgumentError({ argument: param, message: `invalid '${param}': ${message}` })
  })

/**
 * A payload checked against the operation's schema before it is sent.
 *
 * @since 0.3.0
 * @category encoding
 */
export const checkPayload = <P>(schema: Schema.Schema<P>, payload: P): Either.Either<P, InvalidArgumentError> =>
  Either.mapLeft(Schema.validateEither(schema)(payload), (error) => {
    const { message, param } = firstIssue(error)
    return new InvalidArgumentError({ argument: param, message: `invalid '${param}': ${message}` })
  })

const decoded: unique symbol = Symbol.for("@filebatch/core/Operation/decoded")

/**
 * An input decoded for its operation: its ref checked with `checkRef`, its query and
 * payload decoded with the operation's schemas. A call with it checks none of them again.
 *
 * @since 0.3.0
 * @category models
 */
export type Decoded<I> = I & { readonly [decoded]: true }

/**
 * Marks an input that the caller decoded with the operation's own checks and schemas (the
 * proxy, from a request), so that the call does not decode it a second time.
 *
 * @since 0.3.0
 * @category checks
 */
export const markDecoded = <I extends object>(input: I): Decoded<I> =>
  Object.assign(input, { [decoded]: true as const })

/**
 * Whether the input was marked by {@link markDecoded}.
 *
 * @since 0.3.0
 * @category checks
 */
export const isDecoded = (input: object): boolean => decoded in input
