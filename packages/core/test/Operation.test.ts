import { describe, expect, it } from "@effect/vitest"
import { CreateFileBatch, FileBatchApi, Operation, PathTemplate } from "@filebatch/core"
import { Either } from "effect"

const { cancel, createFileBatch, listFiles, retrieve } = FileBatchApi.operations

describe("Operation: one descriptor per operation", () => {
  it("fills a path template, encoding every parameter", () => {
    expect(PathTemplate.fill(retrieve.template, { vectorStoreId: "vs_1", batchId: "vsfb_2" })).toBe(
      "/vector_stores/vs_1/file_batches/vsfb_2"
    )
    // Only reached with checked IDs; encoding is the second line of defence.
    expect(PathTemplate.fill(retrieve.template, { vectorStoreId: "../x", batchId: "a/b?c" })).toBe(
      "/vector_stores/..%2Fx/file_batches/a%2Fb%3Fc"
    )
    expect(PathTemplate.fill(createFileBatch.template, { vectorStoreId: "vs_1" })).toBe(
      "/vector_stores/vs_1/file_batches"
    )
  })

  it("routes raw paths below a prefix by method and template; a known path with another method says which", () => {
    const route = PathTemplate.router(FileBatchApi.operations, "/v1")
    expect(route("POST", "/v1/vector_stores/vs_1/file_batches/vsfb%242/cancel")).toEqual({
      _tag: "Operation",
      operation: cancel,
      raw: { vector_store_id: "vs_1", batch_id: "vsfb%242" }
    })
    expect(route("GET", "/v1/vector_stores/vs_1/file_batches/vsfb_2")).toMatchObject({ operation: retrieve })
    expect(route("GET", "/v1/vector_stores/vs_1/file_batches/vsfb_2/files")).toMatchObject({ operation: listFiles })
    expect(route("POST", "/v1/vector_stores/vs_1/file_batches")).toEqual({
      _tag: "Operation",
      operation: createFileBatch,
      raw: { vector_store_id: "vs_1" }
    })
    expect(route("DELETE", "/v1/vector_stores/vs_1/file_batches/vsfb_2")).toEqual({
      _tag: "WrongMethod",
      allowed: ["GET"],
      raw: { vector_store_id: "vs_1", batch_id: "vsfb_2" }
    })
    for (
      const path of [
        "/v1/vector_stores/vs_1/file_batches/vsfb_2/cancel/x",
        "/v1/vector_stores//file_batches/vsfb_2",
        "/v1//vector_stores/vs_1/file_batches/vsfb_2",
        "/vector_stores/vs_1/file_batches/vsfb_2",
        "/v1/files"
      ]
    ) {
      expect(route("GET", path), path).toBeUndefined()
    }
  })

  it("an operation is one entry: a table without it does not route it, the table with it does", () => {
    const { createFileBatch: _, ...withoutCreate } = FileBatchApi.operations
    expect(PathTemplate.router(withoutCreate, "/v1")("POST", "/v1/vector_stores/vs_1/file_batches")).toBeUndefined()
    expect(PathTemplate.router(FileBatchApi.operations, "/v1")("POST", "/v1/vector_stores/vs_1/file_batches"))
      .toMatchObject({ operation: createFileBatch })
  })

  it("each descriptor says whether it may be sent twice and shared", () => {
    expect([cancel, retrieve, listFiles, createFileBatch].map((op) => [op.name, op.replay, op.coalesce])).toEqual([
      ["cancel", "safe", true],
      ["retrieve", "safe", false],
      ["listFiles", "safe", false],
      ["createFileBatch", "once", false]
    ])
  })

  it("the query travels as text and comes back typed; a bad one names its parameter", () => {
    expect(Operation.encodeQuery(listFiles.query, { limit: 20, filter: "cancelled" })).toEqual(
      Either.right({ limit: "20", filter: "cancelled" })
    )
    const bad = Operation.encodeQuery(listFiles.query, { limit: 0 })
    expect(Either.isLeft(bad) && bad.left.argument).toBe("limit")
  })

  it("the create payload holds 1 to 2000 file IDs, attributes and a chunking strategy as the spec allows", () => {
    const check = (payload: unknown) =>
      Either.mapLeft(
        Operation.checkPayload(
          CreateFileBatch.CreateFileBatchPayload,
          payload as CreateFileBatch.CreateFileBatchPayload
        ),
        (error) => error.argument
      )
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `file-${i}`)
    expect(Either.isRight(check({ file_ids: ids(2000) }))).toBe(true)
    expect(check({ file_ids: ids(2001) })).toEqual(Either.left("file_ids"))
    expect(check({ file_ids: [] })).toEqual(Either.left("file_ids"))
    expect(check({ file_ids: ["file 1"] })).toEqual(Either.left("file_ids[0]"))
    expect(Either.isRight(check({ file_ids: ids(1), attributes: { team: "rag", n: 1, ok: true } }))).toBe(true)
    expect(check({ file_ids: ids(1), attributes: Object.fromEntries(ids(17).map((k) => [k, 1])) }))
      .toEqual(Either.left("attributes"))
    expect(
      Either.isRight(check({
        file_ids: ids(1),
        chunking_strategy: { type: "static", static: { max_chunk_size_tokens: 800, chunk_overlap_tokens: 400 } }
      }))
    ).toBe(true)
    expect(
      Either.isLeft(check({
        file_ids: ids(1),
        chunking_strategy: { type: "static", static: { max_chunk_size_tokens: 800, chunk_overlap_tokens: 401 } }
      }))
    ).toBe(true)
  })
})
