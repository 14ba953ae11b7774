/**
 * Faults the emulator injects on demand: given at start (a fault plan) or added while
 * it runs (`POST /__emulator/faults`). Each rule matches requests by operation and IDs
 * and fires a number of times.
 *
 * @since 0.1.0
 */
import { Either, ParseResult, Schema } from "effect"

/**
 * The operations a rule can match.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Operation = Schema.Literal(
  "create_vector_store",
  "create_batch",
  "retrieve",
  "cancel",
  "list_files",
  "list_store_files",
  "detach_file",
  "delete_file"
)

/**
 * @since 0.1.0
 * @category models
 */
export type Operation = typeof Operation.Type

/**
 * An OpenAI-shaped error answer, with optional retry headers.
 *
 * @since 0.1.0
 * @category schemas
 */
export const StatusFault = Schema.Struct({
  kind: Schema.Literal("status"),
  status: Schema.Int.pipe(Schema.between(400, 599)),
  /** `retry-after`, in seconds. */
  retryAfter: Schema.optional(Schema.Union(Schema.NonNegativeInt, Schema.String)),
  /** `retry-after-ms`. */
  retryAfterMs: Schema.optional(Schema.NonNegativeInt),
  /** `x-should-retry`. */
  shouldRetry: Schema.optional(Schema.Boolean),
  message: Schema.optional(Schema.String),
  type: Schema.optional(Schema.String),
  code: Schema.optional(Schema.NullOr(Schema.String))
})

/**
 * Every fault kind. `status`, `hang` and `reset` stop the request before it takes
 * effect; `truncate`, `non-json`, `content-type` and `drift` spoil the answer of a
 * request that did take effect; `latency` only delays it, and `hold` keeps it waiting
 * until the held requests are released (so a test can make "in flight" a fact).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Fault = Schema.Union(
  StatusFault,
  Schema.Struct({ kind: Schema.Literal("latency"), millis: Schema.NonNegativeInt }),
  Schema.Struct({ kind: Schema.Literal("hang") }),
  Schema.Struct({ kind: Schema.Literal("hold") }),
  Schema.Struct({ kind: Schema.Literal("reset") }),
  Schema.Struct({ kind: Schema.Literal("truncate") }),
  Schema.Struct({ kind: Schema.Literal("non-json") }),
  Schema.Struct({ kind: Schema.Literal("content-type"), contentType: Schema.optional(Schema.String) }),
  Schema.Struct({
    kind: Schema.Literal("drift"),
    drift: Schema.Literal("unknown-status", "extra-fields", "object-spelling"),
    /** For `unknown-status`: the status to show (default `cancelling`). */
    status: Schema.optional(Schema.String)
  })
)

/**
 * @since 0.1.0
 * @category models
 */
export type Fault = typeof Fault.Type

/**
 * A rule: which requests, how many times, what fault.
 *
 * @since 0.1.0
 * @category schemas
 */
export const FaultRule = Schema.Struct({
  /** Operation to match; any when absent. */
  operation: Schema.optional(Operation),
  vectorStoreId: Schema.optional(Schema.String),
  batchId: Schema.optional(Schema.String),
  /** Matching requests to let through before firing (default 0). */
  skip: Schema.optional(Schema.NonNegativeInt),
  /** How many matching requests get the fault (default 1), or `always`. */
  times: Schema.optional(Schema.Union(Schema.Int.pipe(Schema.positive()), Schema.Literal("always"))),
  /** Added latency before the fault (or the normal answer). */
  delayMillis: Schema.optional(Schema.NonNegativeInt),
  /** Hold the request until held requests are released, then apply the fault. */
  held: Schema.optional(Schema.Boolean),
  fault: Fault
})

/**
 * @since 0.1.0
 * @category models
 */
export type FaultRule = typeof FaultRule.Type

/**
 * A fault plan: rules tried in order; the first that matches and still has shots fires.
 *
 * @since 0.1.0
 * @category schemas
 */
export const FaultPlan = Schema.Array(FaultRule)

/**
 * @since 0.1.0
 * @category models
 */
export type FaultPlan = typeof FaultPlan.Type

/**
 * Decodes a plan (one rule, or a list) from JSON text; `Left` is one line naming the
 * first problem and where it is.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodePlanJson = (text: string): Either.Either<FaultPlan, string> => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    return Either.left(`not valid JSON (${String((error as Error).message).replace(/\s+/g, " ")})`)
  }
  // One rule or a list of them; the message names the first problem, not the whole schema.
  const single = !Array.isArray(json)
  return Schema.decodeUnknownEither(FaultPlan)(single ? [json] : json).pipe(
    Either.mapLeft((error) => {
      const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
      const path = (single ? issue?.path.slice(1) : issue?.path) ?? []
      return `${
        path.length === 0
          ? ""
          : `${path.map((p) => typeof p === "number" ? `[${p}]` : `.${String(p)}`).join("").replace(/^\./, "")}: `
      }${issue?.message ?? "not a fault plan"}`
    })
  )
}
