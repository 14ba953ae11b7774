import { describe, expect, it } from "@effect/vitest"
import {
  deleteFileObject,
  detachVectorStoreFile,
  FileBatchApi,
  FileBatchClient,
  listVectorStoreFiles
} from "@filebatch/core"
import { Chunk, Duration, Effect, Fiber, Stream, TestClock } from "effect"
import { clientLayer, fakeHttp, json, openAiError } from "./fixtures.js"

const fileJson = (id: string, status = "cancelled") => ({
  id,
  object: "vector_store.file",
  created_at: 1,
  vector_store_id: "vs_1",
  status
})

describe("a store's files: list, detach, delete", () => {
  it.effect("lists every page of a store's files with the filter", () =>
    Effect.gen(function*() {
      const http = fakeHttp((_, index) =>
        Effect.succeed(json({
          object: "list",
          data: [fileJson(`file-${index}`)],
          first_id: `file-${index}`,
          last_id: `file-${index}`,
          has_more: index === 0
        }))
      )
      const files = yield* Stream.runCollect(listVectorStoreFiles({ vectorStoreId: "vs_1" }, { filter: "cancelled" }))
        .pipe(Effect.provide(clientLayer(http.layer)))
      expect(Chunk.toArray(files).map((file) => file.id)).toEqual(["file-0", "file-1"])
      expect(http.recorded.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
        "GET http://api.test/v1/vector_stores/vs_1/files?filter=cancelled&limit=100",
        "GET http://api.test/v1/vector_stores/vs_1/files?filter=cancelled&limit=100&after=file-0"
      ])
    }))

  it.effect("detaches with a DELETE below the store, and deletes a File with a DELETE below /files", () =>
    Effect.gen(function*() {
      const http = fakeHttp((request) =>
        Effect.succeed(
          request.url.includes("/vector_stores/")
            ? json({ id: "file-1", object: "vector_store.file.deleted", deleted: true })
            : json({ id: "file-1", object: "file", deleted: true })
        )
      )
      const detached = yield* detachVectorStoreFile({ vectorStoreId: "vs_1", fileId: "file-1" }).pipe(
        Effect.provide(clientLayer(http.layer))
      )
      const deleted = yield* deleteFileObject({ fileId: "file-1" }).pipe(Effect.provide(clientLayer(http.layer)))
      expect([detached.deleted, deleted.object]).toEqual([true, "file"])
      expect(http.recorded.requests.map((request) => `${request.method} ${request.url}`)).toEqual([
        "DELETE http://api.test/v1/vector_stores/vs_1/files/file-1",
        "DELETE http://api.test/v1/files/file-1"
      ])
    }))

  it.effect("file IDs are checked as batch IDs are, before anything is sent", () =>
    Effect.gen(function*() {
      const http = fakeHttp(() => Effect.die("nothing may be sent"))
      const layer = clientLayer(http.layer)
      for (
        const [ref, pattern] of [
          [{ fileId: "" }, /file ID must not be empty/],
          [{ fileId: "file/../x" }, /may only contain/],
          [{ fileId: "vs_abc" }, /vector store ID, not a file ID/],
          [{ fileId: "vsfb_abc" }, /file batch ID, not a file ID/]
        ] as const
      ) {
        const error = yield* deleteFileObject(ref).pipe(Effect.flip, Effect.provide(layer))
        expect(error._tag).toBe("InvalidArgumentError")
        expect(error.message).toMatch(pattern)
      }
      const swapped = yield* detachVectorStoreFile({ vectorStoreId: "file-1", fileId: "vs_1" }).pipe(
        Effect.flip,
        Effect.provide(layer)
      )
      expect(swapped.message).toMatch(/not a file ID/)
      expect(http.recorded.requests).toHaveLength(0)
    }))

  it.effect("a 404 to a resent delete is done: the first attempt deleted it before its answer was lost", () =>
    Effect.gen(function*() {
      for (const operation of ["detach", "delete"] as const) {
        const http = fakeHttp((_, index) =>
          Effect.succeed(index === 0 ? "reset" as const : openAiError(404, "No such File object: file-1"))
        )
        const call: Effect.Effect<{ readonly id: string }, unknown, FileBatchClient.FileBatchClient> =
          operation === "detach"
            ? detachVectorStoreFile({ vectorStoreId: "vs_1", fileId: "file-1" })
            : deleteFileObject({ fileId: "file-1" })
        const fiber = yield* Effect.fork(Effect.provide(call, clientLayer(http.layer)))
        yield* TestClock.adjust(Duration.minutes(1))
        const answer = yield* Fiber.join(fiber)
        expect(answer, operation).toMatchObject({ id: "file-1", deleted: true })
        expect(http.recorded.requests).toHaveLength(2)
      }
    }))

  it.effect("a 404 to the first send stays a NotFoundError: nothing says it was ever there", () =>
    Effect.gen(function*() {
      const http = fakeHttp(() => Effect.succeed(openAiError(404, "No such File object: file-1")))
      const error = yield* deleteFileObject({ fileId: "file-1" }).pipe(
        Effect.flip,
        Effect.provide(clientLayer(http.layer))
      )
      expect(error._tag).toBe("NotFoundError")
      expect(http.recorded.requests).toHaveLength(1)
    }))

  it("the descriptors: deletes may be resent and shared; listing a store is a read", () => {
    const { deleteFile, deleteVectorStoreFile, listVectorStoreFiles } = FileBatchApi.operations
    expect([listVectorStoreFiles, deleteVectorStoreFile, deleteFile].map((op) => [op.method, op.path, op.replay]))
      .toEqual([
        ["GET", "/vector_stores/{vector_store_id}/files", "safe"],
        ["DELETE", "/vector_stores/{vector_store_id}/files/{file_id}", "safe"],
        ["DELETE", "/files/{file_id}", "safe"]
      ])
    expect(FileBatchClient.FileBatchClient.key).toBe("@filebatch/core/FileBatchClient")
  })
})
