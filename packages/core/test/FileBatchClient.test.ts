import { describe, expect, it } from "@effect/vitest"
import { cancelFileBatch, FileBatchApi, FileBatchClient, retrieveFileBatch } from "@filebatch/core"
import { Effect, Either, Logger } from "effect"
import { readFileSync } from "node:fs"
import { libraryVersion } from "../src/internal/version.js"
import { always, apiKey, batchJson, clientLayer, fakeHttp, json, openAiError, ref } from "./fixtures.js"

const run = <A, E>(effect: Effect.Effect<A, E, FileBatchClient.FileBatchClient>, reply: () => Response) =>
  Effect.provide(effect, clientLayer(always(reply).layer, { maxRetries: 0 }))

describe("FileBatchClient", () => {
  it.effect("cancels with a POST to the encoded path and the expected headers", () =>
    Effect.gen(function*() {
      const http = fakeHttp(() => Effect.succeed(json(batchJson({ status: "cancelling" }))))
      const batch = yield* cancelFileBatch(ref).pipe(
        Effect.provide(clientLayer(http.layer, { organization: "org-1", project: "proj_1" }))
      )
      expect(batch.status).toBe("cancelling")
      const [request] = http.recorded.requests
      expect(request.method).toBe("POST")
      expect(request.url).toBe("http://api.test/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123/cancel")
      expect(request.headers["authorization"]).toBe(`Bearer ${apiKey}`)
      expect(request.headers["openai-organization"]).toBe("org-1")
      expect(request.headers["openai-project"]).toBe("proj_1")
      expect(request.headers["accept"]).toBe("application/json")
      expect(request.headers["user-agent"]).toBe(`filebatch-core/${libraryVersion} (node; effect)`)
    }))

  it.effect("retrieves with a GET and sends no organization or project unless set", () =>
    Effect.gen(function*() {
      const http = fakeHttp(() => Effect.succeed(json(batchJson({ status: "completed" }))))
      const batch = yield* retrieveFileBatch(ref).pipe(Effect.provide(clientLayer(http.layer)))
      expect(batch.status).toBe("completed")
      const [request] = http.recorded.requests
      expect(request.method).toBe("GET")
      expect(request.url).toBe("http://api.test/v1/vector_stores/vs_abc123/file_batches/vsfb_abc123")
      expect(request.headers["openai-organization"]).toBeUndefined()
      expect(request.headers["openai-project"]).toBeUndefined()
    }))

  it.effect("extra headers never replace authentication", () =>
    Effect.gen(function*() {
      const http = fakeHttp(() => Effect.succeed(json(batchJson())))
      const response = yield* Effect.flatMap(FileBatchClient.FileBatchClient, (client) =>
        client.execute(FileBatchApi.operations.cancel, { ref }, {
          headers: { "x-client-request-id": "abc", Authorization: "Bearer stolen" }
        })).pipe(Effect.provide(clientLayer(http.layer)))
      expect(response.attempts).toBe(1)
      expect(http.recorded.requests[0].headers["x-client-request-id"]).toBe("abc")
      expect(http.recorded.requests[0].headers["authorization"]).toBe(`Bearer ${apiKey}`)
    }))

  it.effect("never sends a request for an invalid ID", () =>
    Effect.gen(function*() {
      const http = fakeHttp(() => Effect.succeed(json(batchJson())))
      const result = yield* cancelFileBatch({ vectorStoreId: "vs_1/../x", batchId: "vsfb_1" }).pipe(
        Effect.either,
        Effect.provide(clientLayer(http.layer))
      )
      expect(Either.isLeft(result) && result.left._tag).toBe("InvalidArgumentError")
      expect(http.recorded.requests).toHaveLength(0)
    }))

  it.effect("maps each status to its error, with OpenAI's fields and the request id", () =>
    Effect.gen(function*() {
      const table: Array<[number, string]> = [
        [400, "InvalidRequestError"],
        [401, "AuthenticationError"],
        [403, "PermissionDeniedError"],
        [404, "NotFoundError"],
        [405, "InvalidRequestError"],
        [408, "TimeoutError"],
        [409, "ConflictError"],
        [422, "InvalidRequestError"],
        [429, "RateLimitError"],
        [500, "ServerError"],
        [502, "ServerError"],
        [503, "ServerError"],
        [504, "ServerError"]
      ]
      for (const [status, tag] of table) {
        const error = yield* cancelFileBatch(ref).pipe(
          Effect.flip,
          (effect) =>
            run(effect, () =>
              openAiError(status, `failure ${status}`, { type: "some_type", code: "some_code", param: "batch_id" }))
        )
        expect(error._tag, String(status)).toBe(tag)
        expect(error.message).toBe(`failure ${status}`)
        expect("requestId" in error && error.requestId).toBe("req_test123")
        if (error._tag !== "TimeoutError" && "type" in error) {
          expect(error.status).toBe(status)
          expect(error.type).toBe("some_type")
          expect(error.code).toBe("some_code")
          expect(error.param).toBe("batch_id")
        }
      }
    }))

  it.effect("describes an error status whose body is not OpenAI's shape", () =>
    Effect.gen(function*() {
      const error = yield* cancelFileBatch(ref).pipe(
        Effect.flip,
        (effect) => run(effect, () => new Response("<html>bad gateway</html>", { status: 502 }))
      )
      expect(error._tag).toBe("ServerError")
      expect(error.message).toBe("HTTP 502 Bad Gateway: <html>bad gateway</html>")
    }))

  it.effect("non-JSON or mismatched success bodies are unexpected responses with an excerpt", () =>
    Effect.gen(function*() {
      const notJson = yield* cancelFileBatch(ref).pipe(
        Effect.flip,
        (effect) =>
          run(effect, () => new Response("{\"id\": \"vsfb_abc123\", \"obj", { headers: { "x-request-id": "req_9" } }))
      )
      expect(notJson._tag).toBe("UnexpectedResponseError")
      if (notJson._tag === "UnexpectedResponseError") {
        expect(notJson.status).toBe(200)
        expect(notJson.requestId).toBe("req_9")
        expect(notJson.excerpt).toBe("{\"id\": \"vsfb_abc123\", \"obj")
        expect(notJson.message).toMatch(/not JSON/)
      }
      const { status: _, ...missingStatus } = batchJson()
      const mismatch = yield* cancelFileBatch(ref).pipe(Effect.flip, (effect) => run(effect, () => json(missingStatus)))
      expect(mismatch._tag).toBe("UnexpectedResponseError")
      expect(mismatch.message).toMatch(/not a file batch.*status/s)
    }))

  it.effect("accepts a batch served with a wrong content type", () =>
    Effect.gen(function*() {
      const batch = yield* retrieveFileBatch(ref).pipe((effect) =>
        run(effect, () => new Response(JSON.stringify(batchJson()), { headers: { "content-type": "text/plain" } }))
      )
      expect(batch.id).toBe("vsfb_abc123")
    }))

  it.effect("a broken connection is a ConnectionError", () =>
    Effect.gen(function*() {
      const http = fakeHttp(() => Effect.succeed("reset" as const))
      const error = yield* cancelFileBatch(ref).pipe(
        Effect.flip,
        Effect.provide(clientLayer(http.layer, { maxRetries: 0 }))
      )
      expect(error._tag).toBe("ConnectionError")
      expect(error.message).toMatch(/ECONNRESET/)
    }))

  it.effect("the API key never appears in errors or log lines, even when the server echoes it", () =>
    Effect.gen(function*() {
      const lines: Array<string> = []
      const capture = Logger.replace(
        Logger.defaultLogger,
        Logger.make(({ cause, message }) => lines.push(`${String(message)} ${JSON.stringify(cause)}`))
      )
      const echoes = [
        () => openAiError(401, `Incorrect API key provided: ${apiKey}.`),
        () => new Response(`oops ${apiKey}`, { status: 200 }),
        () => json(batchJson({ status: 7, note: apiKey }))
      ]
      for (const reply of echoes) {
        const error = yield* cancelFileBatch(ref).pipe(
          Effect.tapErrorCause((cause) => Effect.logError("cancel failed", cause)),
          Effect.flip,
          (effect) => run(effect, reply),
          Effect.provide(capture)
        )
        for (const text of [error.message, String(error), JSON.stringify(error), ...lines]) {
          expect(text).not.toContain(apiKey)
        }
      }
      expect(lines.length).toBe(3)
      expect(lines.join("\n")).toContain("[redacted]")
    }))

  it("keeps the version in step with package.json", () => {
    const packageJson = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"))
    expect(libraryVersion).toBe(packageJson.version)
  })

  it.effect("returns request id, poll hint and raw JSON from execute", () =>
    Effect.gen(function*() {
      const body = batchJson({ extra_field: true })
      const http = fakeHttp(() =>
        Effect.succeed(json(body, 200, { "x-request-id": "req_abc", "openai-poll-after-ms": "250" }))
      )
      const response = yield* Effect.flatMap(
        FileBatchClient.FileBatchClient,
        (client) => client.execute(FileBatchApi.operations.retrieve, { ref })
      ).pipe(Effect.provide(clientLayer(http.layer)))
      expect(response.requestId).toBe("req_abc")
      expect(response.pollAfterMillis).toBe(250)
      expect(response.json).toEqual(body)
      expect(response.text).toBe(JSON.stringify(body))
      expect(response.value.id).toBe("vsfb_abc123")
    }))
})
