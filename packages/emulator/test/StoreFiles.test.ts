/**
 * A store's files, detached and deleted: every state made by holding progress and
 * advancing it, never raced.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Emulator } from "@filebatch/emulator"
import { Effect } from "effect"
import { call, seed } from "./http.js"

interface FileList {
  readonly data: ReadonlyArray<{ readonly id: string; readonly status: string }>
  readonly has_more: boolean
}
interface Counts {
  readonly file_counts: Record<string, number>
}

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `file-${prefix}${i}`)

describe("the files of a store", () => {
  layer(Emulator.layer({ fileMillis: 100, parallelism: 2, cancelDelayMillis: 10, holdProgress: true }), {
    excludeTestServices: true
  })((it) => {
    it.effect("a store lists every batch's files; a file attached again is the later batch's", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const { batchPath, storePath } = yield* seed(emulator, ids("a", 4))
        yield* call(emulator, "POST", `${batchPath}/cancel`)
        yield* emulator.progress.advance(10)
        // The four were cancelled; two come back in a second batch.
        yield* call(emulator, "POST", `${storePath}/file_batches`, { body: { file_ids: ["file-a0", "file-a1"] } })
        const all = (yield* call(emulator, "GET", `${storePath}/files?limit=100&order=asc`)).json as FileList
        expect(all.data.map((file) => file.id)).toEqual(["file-a2", "file-a3", "file-a0", "file-a1"])
        const cancelled = (yield* call(emulator, "GET", `${storePath}/files?filter=cancelled`)).json as FileList
        expect(cancelled.data.map((file) => file.id).sort()).toEqual(["file-a2", "file-a3"])
        const page = (yield* call(emulator, "GET", `${storePath}/files?limit=1&order=asc&after=file-a2`))
          .json as FileList
        expect(page).toMatchObject({ data: [{ id: "file-a3" }], has_more: true })
        expect((yield* call(emulator, "GET", "/v1/vector_stores/vs_nope/files")).status).toBe(404)
      }))

    it.effect("a detached file leaves the store's and the batch's lists and counts; detaching it again is a 404", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const { batchPath, storePath } = yield* seed(emulator, ids("b", 3))
        const detached = yield* call(emulator, "DELETE", `${storePath}/files/file-b1`)
        expect(detached.status).toBe(200)
        expect(detached.json).toEqual({ id: "file-b1", object: "vector_store.file.deleted", deleted: true })
        const batch = (yield* call(emulator, "GET", batchPath)).json as Counts
        expect(batch.file_counts["total"]).toBe(2)
        const batchFiles = (yield* call(emulator, "GET", `${batchPath}/files`)).json as FileList
        expect(batchFiles.data.map((file) => file.id)).not.toContain("file-b1")
        const storeFiles = (yield* call(emulator, "GET", `${storePath}/files`)).json as FileList
        expect(storeFiles.data.map((file) => file.id).sort()).toEqual(["file-b0", "file-b2"])
        const again = yield* call(emulator, "DELETE", `${storePath}/files/file-b1`)
        expect(again.status).toBe(404)
        expect(again.json).toMatchObject({ error: { type: "invalid_request_error" } })
        expect((yield* call(emulator, "DELETE", "/v1/vector_stores/vs_nope/files/file-b0")).status).toBe(404)
        expect((yield* call(emulator, "DELETE", `${storePath}/files/bad%24id`)).status).toBe(400)
        expect((yield* call(emulator, "GET", `${storePath}/files/file-b0`)).status).toBe(405)
      }))

    it.effect("a deleted File leaves every store; deleting it again, or attaching it, is a 404", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const first = yield* seed(emulator, ["file-c0", "file-c1"])
        const second = yield* seed(emulator, ["file-c0"])
        const deleted = yield* call(emulator, "DELETE", "/v1/files/file-c0")
        expect(deleted.status).toBe(200)
        expect(deleted.json).toEqual({ id: "file-c0", object: "file", deleted: true })
        for (const storePath of [first.storePath, second.storePath]) {
          const files = (yield* call(emulator, "GET", `${storePath}/files`)).json as FileList
          expect(files.data.map((file) => file.id)).not.toContain("file-c0")
        }
        expect(((yield* call(emulator, "GET", second.batchPath)).json as Counts).file_counts["total"]).toBe(0)
        expect((yield* call(emulator, "DELETE", "/v1/files/file-c0")).status).toBe(404)
        expect((yield* call(emulator, "DELETE", "/v1/files/file-never")).status).toBe(404)
        const reattach = yield* call(emulator, "POST", `${first.storePath}/file_batches`, {
          body: { file_ids: ["file-c0"] }
        })
        expect(reattach.status).toBe(404)
      }))

    it.effect("faults apply to the three operations by their names", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const { storePath } = yield* seed(emulator, ids("d", 2))
        yield* emulator.addFaults([
          { operation: "list_store_files", fault: { kind: "status", status: 503 } },
          { operation: "detach_file", fault: { kind: "status", status: 500 } },
          { operation: "delete_file", fault: { kind: "status", status: 429 } }
        ])
        expect((yield* call(emulator, "GET", `${storePath}/files`)).status).toBe(503)
        expect((yield* call(emulator, "DELETE", `${storePath}/files/file-d0`)).status).toBe(500)
        expect((yield* call(emulator, "DELETE", "/v1/files/file-d1")).status).toBe(429)
        // Each fired once: the same calls now go through.
        expect((yield* call(emulator, "DELETE", `${storePath}/files/file-d0`)).status).toBe(200)
        expect((yield* call(emulator, "DELETE", "/v1/files/file-d1")).status).toBe(200)
        const log = yield* emulator.requests
        const detaches = log.filter((entry) => entry.operation === "detach_file" && entry.path.startsWith(storePath))
        expect(detaches.map((entry) => entry.fileId)).toEqual([
          "file-d0",
          "file-d0"
        ])
      }))
  })
})
