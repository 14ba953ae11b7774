import type { HttpClientResponse } from "@effect/platform"
import { Effect, Either, ParseResult } from "effect"
import * as ErrorResponse from "../ErrorResponse.js"
import { statusRule } from "../ErrorTable.js"
import * as Errors from "../FileBatchError.js"

/** How to read a successful answer: its decoder, and what it is called in an error. */
export interface Reader<A> {
  readonly what: string
  readonly decode: (json: unknown) => Either.Either<A, ParseResult.ParseError>
}

/** What one successful attempt yields. */
export interface Answer<A> {
  readonly value: A
  readonly json: unknown
  /** The body exactly as received, for callers that pass it on unchanged. */
  readonly text: string
  readonly requestId: string | undefined
  readonly pollAfterMillis: number | undefined
}

const excerptLength = 200

/** Removes every occurrence of the secret, so no answer can echo it into an error. */
export const scrub = (text: string, secret: string): string =>
  secret.length === 0 ? text : text.split(secret).join("[redacted]")

const excerptOf = (text: string, secret: string) => {
  const cleaned = scrub(text, secret).replace(/\s+/g, " ").trim()
  return cleaned.length > excerptLength ? `${cleaned.slice(0, excerptLength)}…` : cleaned
}

const parseJson = (text: string): Either.Either<unknown, string> =>
  Either.try({ try: () => JSON.parse(text) as unknown, catch: (e) => String(e) })

/** `retry-after-ms` first, then `retry-after` in seconds or as an HTTP date. */
export const retryAfterMillis = (headers: Readonly<Record<string, string>>, nowMillis: number): number | undefined => {
  const ms = headers["retry-after-ms"]
  if (ms !== undefined && ms.trim() !== "" && Number.isFinite(Number(ms))) return Number(ms)
  const after = headers["retry-after"]?.trim()
  if (after === undefined || after === "") return undefined
  if (/^\d+(\.\d+)?$/.test(after)) return Number(after) * 1000
  const date = Date.parse(after)
  return Number.isNaN(date) ? undefined : date - nowMillis
}

const shouldRetryHeader = (headers: Readonly<Record<string, string>>): boolean | undefined => {
  const value = headers["x-should-retry"]?.trim().toLowerCase()
  return value === "true" ? true : value === "false" ? false : undefined
}

const pollAfter = (headers: Readonly<Record<string, string>>): number | undefined => {
  const value = Number(headers["openai-poll-after-ms"])
  return Number.isFinite(value) && value > 0 ? value : undefined
}

const errorClasses = {
  AuthenticationError: Errors.AuthenticationError,
  PermissionDeniedError: Errors.PermissionDeniedError,
  NotFoundError: Errors.NotFoundError,
  ConflictError: Errors.ConflictError,
  InvalidRequestError: Errors.InvalidRequestError,
  RateLimitError: Errors.RateLimitError,
  ServerError: Errors.ServerError
} as const

const upstreamError = (
  status: number,
  headers: Readonly<Record<string, string>>,
  text: string,
  secret: string,
  nowMillis: number
): Errors.UpstreamStatusError | Errors.TimeoutError => {
  const requestId = headers["x-request-id"]
  const body = Either.match(parseJson(text), {
    onLeft: () => ErrorResponse.read(undefined),
    onRight: ErrorResponse.read
  })
  const rule = statusRule(status)
  const rawMessage = body.message ??
    `HTTP ${status}${rule.reason ? ` ${rule.reason}` : ""}${text.trim() === "" ? "" : `: ${excerptOf(text, secret)}`}`
  const message = scrub(rawMessage, secret)
  if (rule.error === "TimeoutError") {
    return new Errors.TimeoutError({
      reason: "server",
      status,
      message,
      ...(requestId !== undefined ? { requestId } : {})
    })
  }
  const { code, param, type } = body
  const fields = {
    status,
    message,
    ...(type !== undefined ? { type } : {}),
    ...(param !== undefined ? { param } : {}),
    ...(code !== undefined ? { code } : {}),
    ...(requestId !== undefined ? { requestId } : {})
  }
  const delay = retryAfterMillis(headers, nowMillis)
  const retry = shouldRetryHeader(headers)
  const full = {
    ...fields,
    ...(delay !== undefined ? { retryAfterMillis: delay } : {}),
    ...(retry !== undefined ? { shouldRetry: retry } : {})
  }
  return new errorClasses[rule.error](full)
}

/** Turns a complete HTTP answer into what `reader` reads, or the typed error its status means. */
export const interpret = <A>(
  response: HttpClientResponse.HttpClientResponse,
  text: string,
  secret: string,
  nowMillis: () => number,
  reader: Reader<A>
): Effect.Effect<Answer<A>, Errors.FileBatchError> => {
  const { headers, status } = response
  const requestId = headers["x-request-id"]
  if (status < 200 || status >= 300) return Effect.fail(upstreamError(status, headers, text, secret, nowMillis()))
  const unexpected = (message: string) =>
    new Errors.UnexpectedResponseError({
      status,
      message,
      excerpt: excerptOf(text, secret),
      ...(requestId !== undefined ? { requestId } : {}),
      ...(headers["content-type"] !== undefined ? { contentType: headers["content-type"] } : {})
    })
  const json = parseJson(text)
  if (Either.isLeft(json)) {
    return Effect.fail(unexpected(`the answer (HTTP ${status}) is not JSON`))
  }
  // Synchronous: the answer is already in memory, and the Effect decoder costs more steps.
  const value = reader.decode(json.right)
  if (Either.isLeft(value)) {
    return Effect.fail(unexpected(
      `the answer (HTTP ${status}) is not ${reader.what}: ${
        scrub(ParseResult.TreeFormatter.formatErrorSync(value.left), secret).slice(0, 300)
      }`
    ))
  }
  return Effect.succeed({ value: value.right, json: json.right, text, requestId, pollAfterMillis: pollAfter(headers) })
}
