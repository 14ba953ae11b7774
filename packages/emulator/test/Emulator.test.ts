import { describe, expect, layer } from "@effect/vitest"
import { Emulator } from "@filebatch/emulator"
import { Effect } from "effect"
import { call, key, seed } from "./http.js"

const errorOf = (json: unknown) => (json as { error: Record<string, unknown> }).error

describe("Emulator over HTTP", () => {
  // Progress is held: each test makes the state it asserts, whatever the machine's speed.
  const held = { fileMillis: 50, parallelism: 5, cancelDelayMillis: 100, pollAfterMillis: 250, holdProgress: true }
  layer(Emulator.layer(held), { excludeTestServices: true })((it) => {
    it.effect("creates, retrieves, cancels and lists like the real API, with its headers", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const { batchPath, batchId, vectorStoreId } = yield* seed(emulator)
        // 20 files, 5 at a time, 50 ms each: one round done, three to go.
        yield* emulator.progress.advance(50)
        const read = yield* call(emulator, "GET", batchPath)
        expect(read.status).toBe(200)
        expect(read.headers.get("content-type")).toMatch(/^application\/json/)
        expect(read.headers.get("x-request-id")).toMatch(/^req_[0-9a-f]{32}$/)
        expect(Number(read.headers.get("openai-processing-ms"))).toBeGreaterThanOrEqual(0)
        expect(read.headers.get("openai-poll-after-ms")).toBe("250")
        expect(read.json).toMatchObject({
          id: batchId,
          object: "vector_store.files_batch",
          vector_store_id: vectorStoreId,
          status: "in_progress",
          file_counts: { in_progress: 15, completed: 5, failed: 0, cancelled: 0, total: 20 }
        })
        const cancelled = yield* call(emulator, "POST", `${batchPath}/cancel`)
        expect(cancelled.status).toBe(200)
        expect((cancelled.json as { status: string }).status).toBe("in_progress")
        // One millisecond short of the cancel delay, the batch is still cancelling.
        yield* emulator.progress.advance(99)
        const during = yield* call(emulator, "GET", batchPath)
        expect(during.json).toMatchObject({ status: "in_progress", file_counts: { in_progress: 15, completed: 5 } })
        yield* emulator.progress.advance(1)
        const after = yield* call(emulator, "GET", batchPath)
        expect(after.json).toMatchObject({
          status: "cancelled",
          file_counts: { in_progress: 0, completed: 5, failed: 0, cancelled: 15, total: 20 }
        })
        expect(after.headers.get("openai-poll-after-ms")).toBeNull()
        const files = yield* call(emulator, "GET", `${batchPath}/files?limit=5&order=asc&filter=cancelled`)
        expect(files.status).toBe(200)
        const listed = (files.json as { data: Array<{ id: string; status: string }> }).data
        expect(listed.map((f) => f.id)).toEqual(["file-5", "file-6", "file-7", "file-8", "file-9"])
        expect(listed.every((f) => f.status === "cancelled")).toBe(true)
      }))

    it.effect("the admin route holds, advances and resumes batch progress", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const { batchPath } = yield* seed(emulator, 10)
        const counts = Effect.map(call(emulator, "GET", batchPath), (r) =>
          (r.json as { file_counts: unknown }).file_counts)
        expect(yield* counts).toMatchObject({ completed: 0, in_progress: 10 })
        const advanced = yield* call(emulator, "POST", "/__emulator/progress", { body: { advanceMillis: 50 } })
        expect(advanced.json).toMatchObject({ held: true })
        expect(yield* counts).toMatchObject({ completed: 5, in_progress: 5 })
        const bad = yield* call(emulator, "POST", "/__emulator/progress", { body: { advanceMillis: -1 } })
        expect(bad.status).toBe(400)
        expect(JSON.stringify(bad.json)).toMatch(/Invalid progress command/)
        const resumed = yield* call(emulator, "POST", "/__emulator/progress", { body: { hold: false } })
        expect(resumed.json).toMatchObject({ held: false })
        const held = yield* call(emulator, "POST", "/__emulator/progress", { body: { hold: true } })
        expect(held.json).toMatchObject({ held: true })
        expect((yield* call(emulator, "GET", "/__emulator/progress")).json).toMatchObject({ held: true })
      }))

    it.effect("401 for a missing or wrong key, with the real messages and a masked key", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const missing = yield* call(emulator, "GET", "/v1/vector_stores/vs_1/file_batches/vsfb_1", { key: null })
        expect(missing.status).toBe(401)
        expect(errorOf(missing.json)).toMatchObject({ type: "invalid_request_error", param: null, code: null })
        expect(errorOf(missing.json)["message"]).toMatch(/^You didn't provide an API key/)
        const wrong = yield* call(emulator, "GET", "/v1/vector_stores/vs_1/file_batches/vsfb_1", {
          key: "sk-wrong-key-123456789"
        })
        expect(wrong.status).toBe(401)
        expect(errorOf(wrong.json)["code"]).toBe("invalid_api_key")
        expect(errorOf(wrong.json)["message"]).toMatch(/^Incorrect API key provided: sk-\*+6789\./)
        expect(wrong.text).not.toContain("sk-wrong-key-123456789")
      }))

    it.effect("404 for unknown stores, batches and URLs; 405 for a wrong method", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const { vectorStoreId } = yield* seed(emulator, 1)
        const noStore = yield* call(emulator, "POST", "/v1/vector_stores/vs_unknown/file_batches/vsfb_x/cancel")
        expect(noStore.status).toBe(404)
        expect(errorOf(noStore.json)["message"]).toBe("No vector store found with id 'vs_unknown'.")
        const noBatch = yield* call(emulator, "GET", `/v1/vector_stores/${vectorStoreId}/file_batches/vsfb_unknown`)
        expect(noBatch.status).toBe(404)
        expect(errorOf(noBatch.json)["type"]).toBe("invalid_request_error")
        const noUrl = yield* call(emulator, "GET", "/v1/files")
        expect(noUrl.status).toBe(404)
        expect(errorOf(noUrl.json)["message"]).toBe("Invalid URL (GET /v1/files)")
        const method = yield* call(emulator, "DELETE", `/v1/vector_stores/${vectorStoreId}/file_batches/vsfb_1`)
        expect(method.status).toBe(405)
        expect(method.headers.get("allow")).toBe("GET")
      }))

    it.effect("400 for IDs with bad characters or the wrong prefix, naming the parameter", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const cases: Array<[string, string, RegExp]> = [
          ["/v1/vector_stores/vs_1/file_batches/vsfb%24x", "batch_id", /contained additional characters/],
          ["/v1/vector_stores/vs%2F..%2Fx/file_batches/vsfb_1", "vector_store_id", /contained additional characters/],
          ["/v1/vector_stores/vs_1/file_batches/batch_1", "batch_id", /Expected an ID that begins with 'vsfb_'\./],
          ["/v1/vector_stores/vsfb_1/file_batches/vs_1", "vector_store_id", /begins with 'vs_'/],
          [`/v1/vector_stores/vs_1/file_batches/vsfb_${"x".repeat(130)}`, "batch_id", /string too long/]
        ]
        for (const [path, param, message] of cases) {
          const reply = yield* call(emulator, "GET", path)
          expect(reply.status, path).toBe(400)
          expect(errorOf(reply.json)["param"]).toBe(param)
          expect(errorOf(reply.json)["message"]).toMatch(message)
        }
      }))

    it.effect("400 for a bad create body", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const { vectorStoreId } = yield* seed(emulator, 1)
        const empty = yield* call(emulator, "POST", `/v1/vector_stores/${vectorStoreId}/file_batches`, {
          body: { file_ids: [] }
        })
        expect(empty.status).toBe(400)
        expect(errorOf(empty.json)["param"]).toBe("file_ids")
        // The spec's maxItems: 2,000 files make a batch, 2,001 are refused whole.
        const ids = (count: number) => Array.from({ length: count }, (_, i) => `file-${i}`)
        const tooMany = yield* call(emulator, "POST", `/v1/vector_stores/${vectorStoreId}/file_batches`, {
          body: { file_ids: ids(2001) }
        })
        expect(tooMany.status).toBe(400)
        expect(errorOf(tooMany.json)["message"]).toBe(
          "Invalid 'file_ids': expected between 1 and 2000 files, got 2001."
        )
        const most = yield* call(emulator, "POST", `/v1/vector_stores/${vectorStoreId}/file_batches`, {
          body: { file_ids: ids(2000) }
        })
        expect((most.json as { file_counts: { total: number } }).file_counts.total).toBe(2000)
        const missing = yield* call(emulator, "POST", `/v1/vector_stores/${vectorStoreId}/file_batches`, { body: {} })
        expect(errorOf(missing.json)["code"]).toBe("missing_required_parameter")
        const viaFiles = yield* call(emulator, "POST", `/v1/vector_stores/${vectorStoreId}/file_batches`, {
          body: { files: [{ file_id: "file-a" }, { file_id: "file-b" }] }
        })
        expect((viaFiles.json as { file_counts: { total: number } }).file_counts.total).toBe(2)
      }))

    it.effect("logs every request with secrets redacted", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        yield* emulator.clearRequests
        yield* call(emulator, "POST", "/v1/vector_stores/vs_a/file_batches/vsfb_b/cancel")
        const log = yield* emulator.requests
        expect(log).toHaveLength(1)
        expect(log[0]).toMatchObject({
          method: "POST",
          path: "/v1/vector_stores/vs_a/file_batches/vsfb_b/cancel",
          operation: "cancel",
          vectorStoreId: "vs_a",
          batchId: "vsfb_b",
          status: 404
        })
        expect(JSON.stringify(log)).not.toContain(key)
        expect(log[0].headers["authorization"]).toMatch(/^Bearer …\w{4} \(redacted\)$/)
        // The admin route shows the same log.
        const viaHttp = yield* call(emulator, "GET", "/__emulator/requests")
        expect((viaHttp.json as Array<unknown>).length).toBe(1)
      }))
  })

  layer(Emulator.layer({ rateLimitPerMinute: 2 }), { excludeTestServices: true })((it) => {
    it.effect("answers 429 with retry-after and x-ratelimit headers past the per-key limit", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const first = yield* call(emulator, "GET", "/v1/vector_stores/vs_1/file_batches/vsfb_1")
        expect(first.headers.get("x-ratelimit-limit-requests")).toBe("2")
        expect(first.headers.get("x-ratelimit-remaining-requests")).toBe("1")
        yield* call(emulator, "GET", "/v1/vector_stores/vs_1/file_batches/vsfb_1")
        const limited = yield* call(emulator, "GET", "/v1/vector_stores/vs_1/file_batches/vsfb_1")
        expect(limited.status).toBe(429)
        expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1)
        expect(limited.headers.get("x-ratelimit-remaining-requests")).toBe("0")
        expect(errorOf(limited.json)["code"]).toBe("rate_limit_exceeded")
      }))
  })
})
