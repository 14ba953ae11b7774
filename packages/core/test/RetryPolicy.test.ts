import { describe, expect, it } from "@effect/vitest"
import { cancelFileBatch, FileBatchApi, FileBatchClient, FileBatchError, RetryPolicy } from "@filebatch/core"
import { Duration, Effect, Exit, Fiber, TestClock } from "effect"
import { batchJson, clientLayer, fakeHttp, json, openAiError, ref, type Reply } from "./fixtures.js"

/** Fails with the given replies in turn, then succeeds. */
const sequence = (...failures: Array<() => Reply>) =>
  fakeHttp((_, index) => Effect.sync(() => index < failures.length ? failures[index]() : json(batchJson())))

const error = (status: number, headers: Record<string, string> = {}) => () =>
  openAiError(status, `status ${status}`, {}, headers)

/** Starts a cancel in the background and returns a probe of how many requests were made. */
const start = (http: ReturnType<typeof fakeHttp>, options: Parameters<typeof clientLayer>[1] = {}) =>
  Effect.gen(function*() {
    const fiber = yield* Effect.fork(cancelFileBatch(ref).pipe(Effect.provide(clientLayer(http.layer, options))))
    yield* TestClock.adjust(0)
    return { fiber, count: () => http.recorded.requests.length }
  })

const advance = (millis: number) => TestClock.adjust(Duration.millis(millis))

describe("RetryPolicy (the official SDK's defaults)", () => {
  it("retries a connection that broke before any answer, not one that broke while the answer was read (as the SDK)", () => {
    expect(RetryPolicy.isRetryable(new FileBatchError.ConnectionError({ message: "refused" }))).toBe(true)
    expect(RetryPolicy.isRetryable(new FileBatchError.ConnectionError({ message: "cut", stage: "answer" }))).toBe(false)
  })

  it.effect("onAttempt hears every HTTP attempt, retries included, whether the call succeeds or not", () =>
    Effect.gen(function*() {
      const attemptsOf = (http: ReturnType<typeof fakeHttp>) =>
        Effect.gen(function*() {
          let heard = 0
          const fiber = yield* Effect.fork(
            Effect.flatMap(FileBatchClient.FileBatchClient, (client) =>
              client.execute(FileBatchApi.operations.cancel, { ref }, { onAttempt: () => heard++ })).pipe(
                Effect.provide(clientLayer(http.layer))
              )
          )
          yield* advance(60_000)
          const exit = yield* Fiber.await(fiber)
          return { heard, sent: http.recorded.requests.length, ok: Exit.isSuccess(exit) }
        })
      expect(yield* attemptsOf(sequence(error(500)))).toEqual({ heard: 2, sent: 2, ok: true })
      expect(yield* attemptsOf(sequence(error(500), error(500), error(500)))).toEqual({ heard: 3, sent: 3, ok: false })
      expect(yield* attemptsOf(sequence(error(404)))).toEqual({ heard: 1, sent: 1, ok: false })
    }))

  it.effect("keepRetrying is asked before each retry: false ends the call with the last error, nothing more sent", () =>
    Effect.gen(function*() {
      const http = sequence(error(500), error(500), error(500))
      let wanted = true
      const fiber = yield* Effect.fork(
        Effect.flatMap(
          FileBatchClient.FileBatchClient,
          (client) => client.execute(FileBatchApi.operations.cancel, { ref }, { keepRetrying: () => wanted })
        ).pipe(Effect.provide(clientLayer(http.layer)))
      )
      yield* advance(0)
      expect(http.recorded.requests).toHaveLength(1)
      yield* advance(500)
      expect(http.recorded.requests).toHaveLength(2)
      wanted = false
      yield* advance(60_000)
      const exit = yield* Fiber.await(fiber)
      expect(http.recorded.requests).toHaveLength(2)
      expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error._tag).toBe("ServerError")
    }))

  it.effect("retries a 500 after 0.375–0.5 s (0.5 s less up to 25% jitter), and gives up after 2 retries", () =>
    Effect.gen(function*() {
      const http = sequence(error(500), error(500), error(500))
      const { count, fiber } = yield* start(http)
      expect(count()).toBe(1)
      yield* advance(374)
      expect(count()).toBe(1)
      yield* advance(126)
      expect(count()).toBe(2)
      // The second delay is 0.75–1 s after the second attempt, which came at 0.375–0.5 s.
      yield* advance(624)
      expect(count()).toBe(2)
      yield* advance(376)
      expect(count()).toBe(3)
      yield* advance(60_000)
      const exit = yield* Fiber.await(fiber)
      expect(count()).toBe(3)
      expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error._tag).toBe("ServerError")
    }))

  it.effect("caps the backoff at 8 s", () =>
    Effect.gen(function*() {
      const policy = RetryPolicy.standard({ jitter: 0 })
      const http = sequence(...Array.from({ length: 6 }, () => error(503)))
      const { count, fiber } = yield* start(http, { maxRetries: 6, deadline: "10 minutes" }).pipe(
        Effect.provideService(RetryPolicy.RetryPolicy, policy)
      )
      // 0.5, 1, 2, 4, 8, then 8 again (not 16)
      for (const delay of [500, 1000, 2000, 4000, 8000, 8000]) {
        const before = count()
        yield* advance(delay - 1)
        expect(count()).toBe(before)
        yield* advance(1)
        expect(count()).toBe(before + 1)
      }
      yield* Fiber.join(fiber)
    }))

  it.effect("retries 408, 409, 429 and 5xx, and connection failures", () =>
    Effect.gen(function*() {
      for (const failure of [error(408), error(409), error(429), error(502), error(504), () => "reset" as const]) {
        const http = sequence(failure)
        const { count, fiber } = yield* start(http)
        yield* advance(500)
        expect(count()).toBe(2)
        const batch = yield* Fiber.join(fiber)
        expect(batch.id).toBe("vsfb_abc123")
      }
    }))

  it.effect("never retries 400, 401, 403, 404 or 422, even with x-should-retry: true", () =>
    Effect.gen(function*() {
      for (const status of [400, 401, 403, 404, 422]) {
        const http = sequence(error(status, { "x-should-retry": "true" }))
        const { count, fiber } = yield* start(http)
        yield* advance(60_000)
        expect(yield* Fiber.await(fiber).pipe(Effect.map(Exit.isFailure))).toBe(true)
        expect(count(), String(status)).toBe(1)
      }
    }))

  it.effect("x-should-retry: false stops a retry; true retries a status otherwise final", () =>
    Effect.gen(function*() {
      const stopped = sequence(error(503, { "x-should-retry": "false" }))
      const first = yield* start(stopped)
      yield* advance(60_000)
      expect(Exit.isFailure(yield* Fiber.await(first.fiber))).toBe(true)
      expect(first.count()).toBe(1)

      const forced = sequence(error(418, { "x-should-retry": "true" }))
      const second = yield* start(forced)
      yield* advance(500)
      expect(second.count()).toBe(2)
      yield* Fiber.join(second.fiber)
    }))

  it.effect("honours retry-after in seconds", () =>
    Effect.gen(function*() {
      const { count, fiber } = yield* start(sequence(error(429, { "retry-after": "3" })))
      yield* advance(2999)
      expect(count()).toBe(1)
      yield* advance(1)
      expect(count()).toBe(2)
      yield* Fiber.join(fiber)
    }))

  it.effect("honours retry-after as an HTTP date", () =>
    Effect.gen(function*() {
      // TestClock starts at 0: an HTTP date 5 s after the epoch is 5 s away.
      const date = new Date(5000).toUTCString()
      const dated = fakeHttp((_, index) =>
        Effect.sync(() => index === 0 ? openAiError(503, "later", {}, { "retry-after": date }) : json(batchJson()))
      )
      const { count, fiber } = yield* start(dated)
      yield* advance(4999)
      expect(count()).toBe(1)
      yield* advance(1)
      expect(count()).toBe(2)
      yield* Fiber.join(fiber)
    }))

  it.effect("prefers retry-after-ms over retry-after", () =>
    Effect.gen(function*() {
      const { count, fiber } = yield* start(sequence(error(429, { "retry-after-ms": "1500", "retry-after": "10" })))
      yield* advance(1499)
      expect(count()).toBe(1)
      yield* advance(1)
      expect(count()).toBe(2)
      yield* Fiber.join(fiber)
    }))

  it.effect("ignores a server delay above 60 s (or not above 0) and backs off instead", () =>
    Effect.gen(function*() {
      for (const headers of [{ "retry-after": "120" }, { "retry-after-ms": "0" }, { "retry-after": "-5" }]) {
        const { count, fiber } = yield* start(sequence(error(429, headers)))
        yield* advance(500)
        expect(count(), JSON.stringify(headers)).toBe(2)
        yield* Fiber.join(fiber)
      }
    }))

  it.effect("the overall deadline bounds retries and reports the last error", () =>
    Effect.gen(function*() {
      const http = sequence(...Array.from({ length: 10 }, () => error(503, { "retry-after": "2" })))
      const { count, fiber } = yield* start(http, { maxRetries: 10, deadline: "5 seconds" })
      yield* advance(5000)
      const exit = yield* Fiber.await(fiber)
      expect(count()).toBe(3)
      expect(Exit.isFailure(exit)).toBe(true)
      if (Exit.isFailure(exit) && exit.cause._tag === "Fail") {
        expect(exit.cause.error._tag).toBe("TimeoutError")
        expect(exit.cause.error.message).toMatch(/gave up after 5s and 3 attempt\(s\); last error: status 503/)
      }
    }))

  it.effect("a deadline shorter than the attempt timeout ends a hung attempt, without retrying", () =>
    Effect.gen(function*() {
      const http = fakeHttp(() => Effect.never)
      const { count, fiber } = yield* start(http, { timeout: "60 seconds", deadline: "3 seconds" })
      yield* advance(2_999)
      expect(fiber.unsafePoll()).toBeNull()
      yield* advance(1)
      const exit = yield* Fiber.await(fiber)
      expect(count()).toBe(1)
      expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error).toMatchObject({
        _tag: "TimeoutError",
        reason: "deadline"
      })
    }))

  it.effect("a hung attempt times out and is retried", () =>
    Effect.gen(function*() {
      const http = fakeHttp((_, index) => index === 0 ? Effect.never : Effect.succeed(json(batchJson())))
      const { count, fiber } = yield* start(http, { timeout: "10 seconds" })
      yield* advance(9_999)
      expect(count()).toBe(1)
      yield* advance(1)
      yield* advance(500)
      expect(count()).toBe(2)
      const batch = yield* Fiber.join(fiber)
      expect(batch.id).toBe("vsfb_abc123")
    }))

  it.effect("RetryPolicy.none makes a single attempt", () =>
    Effect.gen(function*() {
      const http = sequence(error(500))
      const { count, fiber } = yield* start(http).pipe(Effect.provideService(RetryPolicy.RetryPolicy, RetryPolicy.none))
      yield* advance(10_000)
      expect(Exit.isFailure(yield* Fiber.await(fiber))).toBe(true)
      expect(count()).toBe(1)
    }))
})
