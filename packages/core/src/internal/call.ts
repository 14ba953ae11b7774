import { type HttpClient, HttpClientRequest } from "@effect/platform"
import { Duration, Effect, Option, Redacted, Schedule } from "effect"
import * as FileBatchApi from "../FileBatchApi.js"
import type { Operation, RequestOptions } from "../FileBatchClient.js"
import type { FileBatchSettings } from "../FileBatchConfig.js"
import { type FileBatchError, TimeoutError } from "../FileBatchError.js"
import { type FileBatchRef, refProblem } from "../FileBatchId.js"
import { RetryPolicy } from "../RetryPolicy.js"
import { makeAttempt } from "./attempt.js"
import type { Answer, Reader } from "./response.js"
import { userAgent } from "./version.js"

// Each operation's method and path, from the one table, compiled once.
const requestLines = Object.fromEntries(
  (Object.keys(FileBatchApi.operations) as Array<Operation>).map((name) => [name, {
    method: FileBatchApi.operations[name].method,
    template: FileBatchApi.compile(FileBatchApi.operations[name].path)
  }])
) as Record<Operation, { readonly method: "GET" | "POST"; readonly template: FileBatchApi.Template }>

const protectedHeaders = new Set(["authorization", "openai-organization", "openai-project", "host"])

/**
 * One call of an operation: the IDs checked, the request built, the first attempt run
 * bare, and the retry policy driven only once an attempt has failed, within the deadline.
 */
export const makeCall = (httpClient: HttpClient.HttpClient, settings: FileBatchSettings) => {
  const secret = Redacted.value(settings.apiKey)

  // What every request carries, built once; per-call headers cannot replace it.
  const fixedHeaders: Record<string, string> = {
    accept: "application/json",
    "user-agent": userAgent,
    authorization: `Bearer ${secret}`,
    ...(Option.isSome(settings.organization) ? { "openai-organization": settings.organization.value } : {}),
    ...(Option.isSome(settings.project) ? { "openai-project": settings.project.value } : {})
  }

  const baseRequest = (
    operation: Operation,
    ref: FileBatchRef,
    query: Readonly<Record<string, string | number | undefined>> | undefined,
    options: RequestOptions | undefined
  ) => {
    const line = requestLines[operation]
    let headers = fixedHeaders
    if (options?.headers !== undefined) {
      headers = {}
      for (const name in options.headers) {
        const lower = name.toLowerCase()
        if (!protectedHeaders.has(lower)) headers[lower] = options.headers[name]!
      }
      for (const name in fixedHeaders) headers[name] = fixedHeaders[name]!
    }
    let url = `${settings.baseUrl}${FileBatchApi.fill(line.template, ref)}`
    if (query !== undefined) {
      const search = new URLSearchParams()
      for (const name in query) if (query[name] !== undefined) search.set(name, String(query[name]))
      if (search.size > 0) url += `?${search}`
    }
    return HttpClientRequest.make(line.method)(url, { headers })
  }

  const deadlineMillis = Duration.toMillis(settings.deadline)
  const attempt = makeAttempt(httpClient, settings)

  // The first attempt runs bare; the retry schedule and its driver are only built once
  // an attempt has failed, which keeps the common path cheap (measured in the proxy bench).
  const call = <A>(
    operation: Operation,
    ref: FileBatchRef,
    query: Readonly<Record<string, string | number | undefined>> | undefined,
    reader: Reader<A>,
    options: RequestOptions | undefined
  ) =>
    Effect.clockWith((clock): Effect.Effect<Answer<A> & { readonly attempts: number }, FileBatchError> => {
      const problem = refProblem(ref)
      if (problem !== undefined) return Effect.fail(problem)
      const startedAt = clock.unsafeCurrentTimeMillis()
      const request = baseRequest(operation, ref, query, options)
      let attempts = 1
      const remaining = Effect.sync(() => startedAt + deadlineMillis - clock.unsafeCurrentTimeMillis())
      const gaveUp = (last: FileBatchError) =>
        new TimeoutError({
          reason: "deadline",
          timeoutMillis: deadlineMillis,
          message: `gave up after ${
            Duration.format(settings.deadline)
          } and ${attempts} attempt(s); last error: ${last.message}`
        })
      const retryAfter = (firstError: FileBatchError) =>
        Effect.gen(function*() {
          const policy = yield* RetryPolicy
          const driver = yield* Schedule.driver(policy.schedule(settings.maxRetries))
          let last = firstError
          while (true) {
            yield* Effect.logDebug(`${operation} attempt ${attempts} failed: ${last._tag}: ${last.message}`)
            const before = yield* remaining
            const next = yield* Effect.either(
              driver.next(last).pipe(
                Effect.timeoutFail({ duration: Duration.millis(before), onTimeout: () => true })
              )
            )
            if (next._tag === "Left") {
              // The schedule is done (the error is final), or its delay outlasts the deadline.
              return yield* Effect.fail(next.left === true ? gaveUp(last) : last)
            }
            // Asked as the retry would start, after its delay.
            if (options?.keepRetrying?.() === false) return yield* Effect.fail(last)
            attempts += 1
            const result = yield* Effect.either(
              Effect.flatMap(remaining, (left) => attempt(request, left, clock, options?.onAttempt, reader))
            )
            if (result._tag === "Right") return result.right
            last = result.left
          }
        })
      return attempt(request, deadlineMillis, clock, options?.onAttempt, reader).pipe(
        Effect.catchAll((error) =>
          error._tag === "TimeoutError" && error.reason === "deadline" ? Effect.fail(error) : retryAfter(error)
        ),
        Effect.map((answer) => ({ ...answer, attempts }))
      )
    })

  return call
}
