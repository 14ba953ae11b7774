import { describe, expect, layer } from "@effect/vitest"
import { Emulator } from "@filebatch/emulator"
import { Effect, Either, Fiber, Schedule } from "effect"
import { call, seed } from "./http.js"

const arm = (emulator: Emulator.EmulatorService, rule: unknown) =>
  call(emulator, "POST", "/__emulator/faults", { body: rule })

describe("Fault injection", () => {
  layer(Emulator.layer({ fileMillis: 1000 }), { excludeTestServices: true })((it) => {
    it.effect("status faults answer OpenAI-shaped errors with retry headers, the given number of times", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const { batchId, batchPath } = yield* seed(emulator)
        const armed = yield* arm(emulator, {
          operation: "cancel",
          batchId,
          times: 2,
          fault: { kind: "status", status: 429, retryAfter: 2, retryAfterMs: 1500, shouldRetry: true }
        })
        expect(armed.status).toBe(201)
        for (let i = 0; i < 2; i++) {
          const reply = yield* call(emulator, "POST", `${batchPath}/cancel`)
          expect(reply.status).toBe(429)
          expect(reply.headers.get("retry-after")).toBe("2")
          expect(reply.headers.get("retry-after-ms")).toBe("1500")
          expect(reply.headers.get("x-should-retry")).toBe("true")
          expect((reply.json as { error: { type: string } }).error.type).toBe("invalid_request_error")
        }
        // Spent: the third cancel goes through, and a retrieve was never affected.
        expect((yield* call(emulator, "POST", `${batchPath}/cancel`)).status).toBe(200)
        for (const status of [500, 502, 503, 504]) {
          yield* arm(emulator, { operation: "retrieve", fault: { kind: "status", status, shouldRetry: false } })
          const reply = yield* call(emulator, "GET", batchPath)
          expect(reply.status).toBe(status)
          expect(reply.headers.get("x-should-retry")).toBe("false")
          expect((reply.json as { error: { type: string } }).error.type).toBe("server_error")
        }
      }))

    it.effect("skip lets matching requests through first; other batches are not matched", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const a = yield* seed(emulator)
        const b = yield* seed(emulator)
        yield* arm(emulator, { batchId: a.batchId, skip: 1, fault: { kind: "status", status: 500 } })
        expect((yield* call(emulator, "GET", b.batchPath)).status).toBe(200)
        expect((yield* call(emulator, "GET", a.batchPath)).status).toBe(200)
        expect((yield* call(emulator, "GET", a.batchPath)).status).toBe(500)
        expect((yield* call(emulator, "GET", a.batchPath)).status).toBe(200)
      }))

    it.effect("latency delays the answer", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const { batchPath } = yield* seed(emulator)
        yield* arm(emulator, { fault: { kind: "latency", millis: 300 } })
        const started = Date.now()
        const reply = yield* call(emulator, "GET", batchPath)
        expect(reply.status).toBe(200)
        expect(Date.now() - started).toBeGreaterThanOrEqual(290)
      }))

    it.effect("hold keeps requests waiting until they are released, then answers them normally", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const { batchPath } = yield* seed(emulator)
        yield* arm(emulator, { operation: "retrieve", times: 2, fault: { kind: "hold" } })
        const replies = yield* Effect.fork(
          Effect.all([call(emulator, "GET", batchPath), call(emulator, "GET", batchPath)], {
            concurrency: 2
          })
        )
        // Held is a fact the test waits for, not a guess about timing.
        yield* call(emulator, "GET", "/__emulator/held").pipe(
          Effect.filterOrFail((reply) => (reply.json as { held: number }).held === 2),
          Effect.retry(Schedule.spaced("10 millis"))
        )
        expect((yield* emulator.requests).filter((entry) => entry.fault === "hold" && entry.status === "pending"))
          .toHaveLength(2)
        const released = yield* call(emulator, "POST", "/__emulator/release")
        expect(released.json).toEqual({ released: 2 })
        const answered = yield* Fiber.join(replies)
        expect(answered.map((reply) => reply.status)).toEqual([200, 200])
        expect(yield* emulator.held).toBe(0)
        // Nothing is held any more, so the next release lets nothing go.
        expect(yield* emulator.releaseHeld).toBe(0)
      }))

    it.effect("hang never answers; reset and truncate break the connection", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const { batchPath } = yield* seed(emulator)
        yield* arm(emulator, { fault: { kind: "hang" } })
        const hung = yield* Effect.either(call(emulator, "GET", batchPath, { timeoutMs: 300 }))
        expect(Either.isLeft(hung) && hung.left.name).toBe("TimeoutError")
        yield* arm(emulator, { fault: { kind: "reset" } })
        const reset = yield* Effect.either(call(emulator, "GET", batchPath))
        expect(Either.isLeft(reset) && String(reset.left)).toMatch(/fetch failed|terminated|socket/i)
        yield* arm(emulator, { fault: { kind: "truncate" } })
        const cut = yield* Effect.either(call(emulator, "GET", batchPath))
        expect(Either.isLeft(cut) && String(cut.left)).toMatch(/terminated|socket|closed|fetch failed/i)
        const log = yield* emulator.requests
        expect(log.slice(-3).map((entry) => entry.fault)).toEqual(["hang", "reset", "truncate"])
      }))

    it.effect("non-JSON, wrong content type and schema drift spoil a real answer", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const { batchPath } = yield* seed(emulator)
        yield* arm(emulator, { fault: { kind: "non-json" } })
        const html = yield* call(emulator, "GET", batchPath)
        expect(html.status).toBe(200)
        expect(html.json).toBeUndefined()
        expect(html.text).toMatch(/<html>/)
        yield* arm(emulator, { fault: { kind: "content-type", contentType: "text/plain" } })
        const plain = yield* call(emulator, "GET", batchPath)
        expect(plain.headers.get("content-type")).toMatch(/^text\/plain/)
        expect((plain.json as { id: string }).id).toMatch(/^vsfb_/)
        yield* arm(emulator, { fault: { kind: "drift", drift: "unknown-status", status: "queued" } })
        expect((yield* call(emulator, "GET", batchPath)).json).toMatchObject({ status: "queued" })
        yield* arm(emulator, { fault: { kind: "drift", drift: "extra-fields" } })
        expect((yield* call(emulator, "GET", batchPath)).json).toMatchObject({ usage_bytes: 123 })
        yield* arm(emulator, { fault: { kind: "drift", drift: "object-spelling" } })
        expect((yield* call(emulator, "GET", batchPath)).json).toMatchObject({ object: "vector_store.file_batch" })
      }))

    it.effect("a bad rule is refused with a clear error; rules can be cleared", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const bad = yield* arm(emulator, { fault: { kind: "explode" } })
        expect(bad.status).toBe(400)
        expect((bad.json as { error: { message: string } }).error.message).toMatch(/^Invalid fault rule/)
        const { batchPath } = yield* seed(emulator)
        yield* arm(emulator, { operation: "retrieve", times: "always", fault: { kind: "status", status: 503 } })
        expect((yield* call(emulator, "GET", batchPath)).status).toBe(503)
        expect((yield* call(emulator, "GET", batchPath)).status).toBe(503)
        expect((yield* call(emulator, "DELETE", "/__emulator/faults")).status).toBe(200)
        expect((yield* call(emulator, "GET", batchPath)).status).toBe(200)
      }))
  })

  layer(
    Emulator.layer({ faults: [{ operation: "cancel", fault: { kind: "status", status: 502 } }] }),
    { excludeTestServices: true }
  )((it) => {
    it.effect("a fault plan given at start is armed", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const { batchPath } = yield* seed(emulator)
        expect((yield* call(emulator, "POST", `${batchPath}/cancel`)).status).toBe(502)
        expect((yield* call(emulator, "POST", `${batchPath}/cancel`)).status).toBe(200)
      }))
  })
})
