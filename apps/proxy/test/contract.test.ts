/**
 * The proxy's contract comes from core's table of operations: its OpenAPI document lists
 * exactly those operations (and the proxy's own routes), and one more entry in the table
 * is one more documented operation.
 */
import { describe, expect, it } from "@effect/vitest"
import { FileBatchApi, FileBatchId, type Operation } from "@filebatch/core"
import { openApiDocument } from "../src/http/ProxyApi.js"

const apiPaths = (table: Readonly<Record<string, Operation.Any>>) =>
  [...new Set(Object.values(table).map((spec) => `/v1${spec.path}`))].sort()

type Parameter = { name: string; in: string; schema: { pattern?: string; maxLength?: number } }
type DocumentedOperation = { parameters: Array<Parameter>; responses: Record<string, unknown>; requestBody?: unknown }
const operationOf = (document: ReturnType<typeof openApiDocument>, spec: Operation.Any) =>
  (document.paths as Record<string, Record<string, DocumentedOperation>>)[`/v1${spec.path}`][spec.method.toLowerCase()]

describe("the contract, from core's table", () => {
  it("the OpenAPI document has each operation of the table with its method, parameters and answers", () => {
    const document = openApiDocument()
    const paths = Object.keys(document.paths).filter((path) => path.startsWith("/v1/"))
    expect(paths.sort()).toEqual(apiPaths(FileBatchApi.operations))
    for (const spec of Object.values(FileBatchApi.operations)) {
      const operation = operationOf(document, spec)
      expect(operation, spec.path).toBeDefined()
      const pathParams = operation.parameters.filter((p) => p.in === "path")
      expect(pathParams.map((p) => p.name).sort()).toEqual(
        spec.template.flatMap((segment) => "param" in segment ? [segment.param] : []).sort()
      )
      // The document states the rule the runtime enforces.
      for (const param of pathParams) {
        expect(param.schema, `${spec.name} ${param.name}`).toMatchObject({
          pattern: FileBatchId.idPattern.source,
          maxLength: FileBatchId.maxIdLength
        })
      }
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

  it("an operation is one entry in the table: createFileBatch is documented, with its payload, by that entry alone", () => {
    const { createFileBatch, ...withoutCreate } = FileBatchApi.operations
    const pathsOf = (table: Readonly<Record<string, Operation.Any>>) =>
      Object.entries(openApiDocument(table).paths).flatMap(([path, item]) =>
        path.startsWith("/v1/") ? Object.keys(item as object).map((method) => `${method} ${path}`) : []
      )
    const created = `post /v1${createFileBatch.path}`
    expect(pathsOf(withoutCreate)).not.toContain(created)
    expect(pathsOf(FileBatchApi.operations)).toContain(created)
    const documented = operationOf(openApiDocument(), createFileBatch)
    expect(documented.requestBody).toMatchObject({ content: { "application/json": {} }, required: true })
  })
})
