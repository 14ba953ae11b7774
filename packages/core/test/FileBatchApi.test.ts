import { describe, expect, it } from "@effect/vitest"
import { FileBatchApi } from "@filebatch/core"
import { extraOperation } from "@filebatch/testkit"

describe("FileBatchApi: the contract, stated once", () => {
  it("fills a path template, encoding every parameter", () => {
    const retrieve = FileBatchApi.compile(FileBatchApi.operations.retrieve.path)
    expect(FileBatchApi.fill(retrieve, { vectorStoreId: "vs_1", batchId: "vsfb_2" })).toBe(
      "/vector_stores/vs_1/file_batches/vsfb_2"
    )
    // Only reached with checked IDs; encoding is the second line of defence.
    expect(FileBatchApi.fill(retrieve, { vectorStoreId: "../x", batchId: "a/b?c" })).toBe(
      "/vector_stores/..%2Fx/file_batches/a%2Fb%3Fc"
    )
  })

  it("routes raw paths below a prefix by method and template; a known path with another method says which", () => {
    const route = FileBatchApi.router(FileBatchApi.operations, "/v1")
    expect(route("POST", "/v1/vector_stores/vs_1/file_batches/vsfb%242/cancel")).toEqual({
      _tag: "Operation",
      name: "cancel",
      rawVectorStoreId: "vs_1",
      rawBatchId: "vsfb%242"
    })
    expect(route("GET", "/v1/vector_stores/vs_1/file_batches/vsfb_2")).toMatchObject({ name: "retrieve" })
    expect(route("DELETE", "/v1/vector_stores/vs_1/file_batches/vsfb_2")).toEqual({
      _tag: "WrongMethod",
      allowed: ["GET"],
      rawVectorStoreId: "vs_1",
      rawBatchId: "vsfb_2"
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

  it("a new operation is one entry: the router serves it with nothing else changed", () => {
    const table = { ...FileBatchApi.operations, usage: extraOperation }
    const route = FileBatchApi.router(table, "/v1")
    expect(route("GET", "/v1/vector_stores/vs_1/file_batches/vsfb_2/usage")).toMatchObject({ name: "usage" })
    expect(
      FileBatchApi.router(FileBatchApi.operations, "/v1")("GET", "/v1/vector_stores/vs_1/file_batches/vsfb_2/usage")
    )
      .toBeUndefined()
  })
})
