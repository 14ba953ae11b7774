/**
 * A client of the proxy's admin `/audit` route, derived from `ProxyContract`: the request
 * from the route's path and query schema, the answer read with its record schema, and an
 * error answer read as the error body every route of the proxy answers with.
 *
 * @since 0.3.0
 */
import { HttpClient } from "@effect/platform"
import { Effect, Either, ParseResult, Schema } from "effect"
import type { AuditRecord } from "./AuditRecord.js"
import * as ErrorResponse from "./ErrorResponse.js"
import * as ProxyContract from "./ProxyContract.js"

/**
 * Why the trail could not be read: the query or URL is wrong (`BadQuery`), the proxy keeps
 * no trail (`NoTrail`), it could not be reached or answered otherwise (`Unavailable`), or
 * its answer is not a trail (`NotARecord`).
 *
 * @since 0.3.0
 * @category errors
 */
export class AuditReadError extends Schema.TaggedError<AuditReadError>()("AuditReadError", {
  reason: Schema.Literal("BadQuery", "NoTrail", "Unavailable", "NotARecord"),
  message: Schema.String
}) {}

/**
 * The records as the proxy sent them (one JSON line each, for `--json`), and decoded.
 *
 * @since 0.3.0
 * @category models
 */
export interface AuditAnswer {
  readonly lines: ReadonlyArray<string>
  readonly records: ReadonlyArray<AuditRecord>
}

const failWith = (reason: AuditReadError["reason"], message: string) =>
  Effect.fail(new AuditReadError({ reason, message }))

/** The URL of the route with the query, or why there is none. */
const urlOf = (adminUrl: string, query: ProxyContract.AuditQuery): Either.Either<URL, AuditReadError> => {
  let url: URL
  try {
    url = new URL(ProxyContract.routes.audit.path, adminUrl)
  } catch {
    return Either.left(new AuditReadError({ reason: "BadQuery", message: `not a URL: ${adminUrl}` }))
  }
  return Either.map(
    Either.mapLeft(
      ProxyContract.encodeAuditQuery(query),
      (error) => new AuditReadError({ reason: "BadQuery", message: ParseResult.TreeFormatter.formatErrorSync(error) })
    ),
    (text) => {
      for (const [name, value] of Object.entries(text)) if (value !== undefined) url.searchParams.set(name, value)
      return url
    }
  )
}

/** An error answer's message, read as the proxy's error body. */
const refusal = (status: number, body: string) => {
  let message = body
  try {
    message = ErrorResponse.read(JSON.parse(body)).message ?? body
  } catch {
    // not JSON: said as received
  }
  return failWith(
    status === 400 ? "BadQuery" : status === 404 ? "NoTrail" : "Unavailable",
    `the proxy answered ${status}: ${message}`
  )
}

/** The answer's lines, each decoded as a record. */
const recordsOf = (body: string): Effect.Effect<AuditAnswer, AuditReadError> => {
  const lines = body.split("\n").filter((line) => line !== "")
  const records: Array<AuditRecord> = []
  for (const [index, line] of lines.entries()) {
    const record = ProxyContract.decodeAuditLine(line)
    if (Either.isLeft(record)) {
      return failWith(
        "NotARecord",
        `record ${index + 1} of the proxy's answer is not an audit record: ${
          ParseResult.TreeFormatter.formatErrorSync(record.left).split("\n")[0]
        }`
      )
    }
    records.push(record.right)
  }
  return Effect.succeed({ lines, records })
}

/**
 * Reads the records matching `query` from the proxy's admin port at `adminUrl`.
 *
 * @since 0.3.0
 * @category reading
 */
export const read = (
  adminUrl: string,
  query: ProxyContract.AuditQuery
): Effect.Effect<AuditAnswer, AuditReadError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const url = yield* urlOf(adminUrl, query)
    const client = yield* HttpClient.HttpClient
    const unreachable = (error: { readonly message: string }) =>
      new AuditReadError({
        reason: "Unavailable",
        message: `could not reach the proxy's admin port at ${url.origin} (${error.message})`
      })
    const response = yield* Effect.mapError(client.get(url), unreachable)
    const body = yield* Effect.mapError(response.text, unreachable)
    return yield* response.status === 200 ? recordsOf(body) : refusal(response.status, body)
  })
