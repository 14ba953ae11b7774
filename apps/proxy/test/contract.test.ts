/**
 * The proxy's contract comes from core's table of operations: its OpenAPI document lists
 * exactly those operations (and the proxy's own routes), and one more entry in the table
 * is one more documented operation.
 */
import { describe, expect, it } from "@effect/vitest"
import { FileBatchApi } from "@filebatch/core"
import { extraOperation } from "@filebatch/testkit"
import { openApiDocument } from "../src/ProxyApi.js"

const apiPaths = (table: Readonly<Record<string, FileBatchApi.OperationSpec>>) =>
  Object.values(table).map((spec) => `/v1${spec.path}`).sort()

describe("the contract, from core's table", () => {
  it("the OpenAPI document has each operation of the table with its method, parameters and answers", () => {
    const document = openApiDocument()
    const paths = Object.keys(document.paths).filter((path) => path.startsWith("/v1/"))
    expect(paths.sort()).toEqual(apiPaths(FileBatchApi.operations))
    for (const spec of Object.values(FileBatchApi.operations)) {
      type Operation = { parameters: Array<{ name: string }>; responses: Record<string, unknown> }
      const operation = (document.paths as Record<string, Record<string, Operation>>)[`/v1${spec.path}`][
        spec.method.toLowerCase()
      ]
      expect(operation, spec.path).toBeDefined()
      expect(operation.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(["batch_id", "vector_store_id"]))
      expect(Object.keys(operation.responses)).toEqual(
        expect.arrayContaining(["200", "400", "401", "404", "429", "502"])
      )
    }
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(["/healthz", "/readyz", "/metrics"]))
    const list =
      (document.paths as Record<string, Record<string, { parameters: Array<{ name: string; in: string }> }>>)[
        "/v1/vector_stores/{vector_store_id}/file_batches/{batch_id}/files"
      ].get
    expect(list.parameters.filter((p) => p.in === "query").map((p) => p.name).sort()).toEqual(
      ["after", "before", "filter", "limit", "order"]
    )
    // Bearer auth is declared, on the API's operations only.
    expect(document.components.securitySchemes).toMatchObject({ clientKey: { type: "http", scheme: "bearer" } })
    const retrieve = document.paths as Record<string, Record<string, { security: unknown }>>
    expect(retrieve["/v1/vector_stores/{vector_store_id}/file_batches/{batch_id}"].get.security).toEqual([{
      clientKey: []
    }])
    expect(retrieve["/healthz"].get.security).toEqual([])
  })

  it("a new operation is one entry in the table", () => {
    const table = { ...FileBatchApi.operations, usage: extraOperation }
    const paths = Object.keys(openApiDocument(table).paths).filter((path) => path.startsWith("/v1/"))
    expect(paths.sort()).toEqual(apiPaths(table))
    expect(FileBatchApi.router(table, "/v1")("GET", "/v1/vector_stores/vs_1/file_batches/vsfb_2/usage"))
      .toMatchObject({ _tag: "Operation", name: "usage" })
  })
})
