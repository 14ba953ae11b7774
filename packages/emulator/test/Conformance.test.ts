/**
 * Every emulator answer of the file batch operations is validated against the official
 * OpenAPI schemas with a real JSON Schema validator (ajv, draft 2020-12 as OpenAPI 3.1 uses).
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Emulator } from "@filebatch/emulator"
import { Ajv2020 } from "ajv/dist/2020.js"
import { Effect, Exit, Scope } from "effect"
import { existsSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { parse } from "yaml"
import { call, seed } from "./http.js"

const specPath = fileURLToPath(new URL("../../../../shared/openai-openapi/openapi.yaml", import.meta.url))

const loadValidator = () => {
  if (!existsSync(specPath)) {
    throw new Error(`the official spec is expected at ${specPath} (shared/ beside the repository)`)
  }
  const spec = parse(readFileSync(specPath, "utf8"), { maxAliasCount: -1 })
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true })
  ajv.addSchema(spec, "openapi.json")
  return (schemaName: string, value: unknown) => {
    const validate = ajv.getSchema(`openapi.json#/components/schemas/${schemaName}`)
    if (validate === undefined) throw new Error(`no schema ${schemaName}`)
    const valid = validate(value) as boolean
    return { valid, errors: ajv.errorsText(validate.errors) }
  }
}

let validate: ReturnType<typeof loadValidator>
let emulator: Emulator.EmulatorService
const scope = Effect.runSync(Scope.make())

beforeAll(async () => {
  validate = loadValidator()
  emulator = await Effect.runPromise(
    // Held: every state asserted below is made by advancing, never raced.
    Emulator.make({ fileMillis: 20, parallelism: 4, cancelDelayMillis: 50, holdProgress: true }).pipe(
      Scope.extend(scope)
    )
  )
}, 60_000)

afterAll(() => Effect.runPromise(Scope.close(scope, Exit.void)))

const run = <A>(effect: Effect.Effect<A, Error>) => Effect.runPromise(effect)

const expectValid = (schemaName: string, value: unknown) => {
  const result = validate(schemaName, value)
  expect(result.valid, `${schemaName}: ${result.errors}\n${JSON.stringify(value)}`).toBe(true)
}

describe("conformance with the official OpenAPI schemas", () => {
  it("the validator is real: it rejects a broken batch", () => {
    expect(validate("VectorStoreFileBatchObject", { id: "vsfb_1", object: "vector_store.files_batch" }).valid).toBe(
      false
    )
  })

  it("batch answers of create, retrieve and cancel match VectorStoreFileBatchObject", async () => {
    const { batchPath } = await run(seed(emulator, 30))
    const created = await run(call(emulator, "GET", batchPath))
    expectValid("VectorStoreFileBatchObject", created.json)
    const cancelled = await run(call(emulator, "POST", `${batchPath}/cancel`))
    expectValid("VectorStoreFileBatchObject", cancelled.json)
    await run(emulator.progress.advance(50))
    const after = await run(call(emulator, "GET", batchPath))
    expect((after.json as { status: string }).status).toBe("cancelled")
    expectValid("VectorStoreFileBatchObject", after.json)
  })

  it("the vector store answer matches VectorStoreObject", async () => {
    const store = await run(call(emulator, "POST", "/v1/vector_stores", { body: { name: "x" } }))
    expectValid("VectorStoreObject", store.json)
  })

  it("file lists match ListVectorStoreFilesResponse", async () => {
    const { batchPath } = await run(seed(emulator, 30))
    // 30 files, 4 at a time: 8 completed, 22 in progress.
    await run(emulator.progress.advance(40))
    for (
      const [query, length] of [["", 20], ["?limit=5&order=asc", 5], ["?filter=in_progress&limit=100", 22], [
        "?filter=completed",
        8
      ]] as const
    ) {
      const list = await run(call(emulator, "GET", `${batchPath}/files${query}`))
      expectValid("ListVectorStoreFilesResponse", list.json)
      expect((list.json as { data: Array<unknown> }).data, query).toHaveLength(length)
    }
  })

  it("a store's file list, a detach and a File's delete match their schemas", async () => {
    const { storePath } = await run(seed(emulator, ["file-conf0", "file-conf1", "file-conf2"]))
    const list = await run(call(emulator, "GET", `${storePath}/files?limit=2`))
    expectValid("ListVectorStoreFilesResponse", list.json)
    expect((list.json as { has_more: boolean }).has_more).toBe(true)
    const detached = await run(call(emulator, "DELETE", `${storePath}/files/file-conf0`))
    expectValid("DeleteVectorStoreFileResponse", detached.json)
    const deleted = await run(call(emulator, "DELETE", "/v1/files/file-conf1"))
    expectValid("DeleteFileResponse", deleted.json)
    const again = await run(call(emulator, "DELETE", "/v1/files/file-conf1"))
    expect(again.status).toBe(404)
    expectValid("ErrorResponse", again.json)
  })

  it("quirk: an empty list has null first_id/last_id, as the live API answers, which the schema's `string` rejects", async () => {
    const { batchPath } = await run(seed(emulator, 3))
    const list = await run(call(emulator, "GET", `${batchPath}/files?filter=failed`))
    expect(list.json).toMatchObject({ data: [], first_id: null, last_id: null })
    expect(validate("ListVectorStoreFilesResponse", list.json).valid).toBe(false)
  })

  it("error answers (400, 401, 404, 405, 429, 5xx) match ErrorResponse", async () => {
    const { batchPath } = await run(seed(emulator, 3))
    await run(call(emulator, "POST", "/__emulator/faults", {
      body: [
        { operation: "retrieve", fault: { kind: "status", status: 429, retryAfter: 1 } },
        { operation: "retrieve", fault: { kind: "status", status: 503 } }
      ]
    }))
    const replies = [
      await run(call(emulator, "GET", batchPath)),
      await run(call(emulator, "GET", batchPath)),
      await run(call(emulator, "GET", "/v1/vector_stores/vs_1/file_batches/vsfb%24")),
      await run(call(emulator, "GET", batchPath, { key: null })),
      await run(call(emulator, "GET", "/v1/vector_stores/vs_nope/file_batches/vsfb_nope")),
      await run(call(emulator, "PUT", batchPath))
    ]
    expect(replies.map((reply) => reply.status)).toEqual([429, 503, 400, 401, 404, 405])
    for (const reply of replies) expectValid("ErrorResponse", reply.json)
  })

  it("quirk: the example's spelling `vector_store.file_batch` is outside the schema's enum, so the emulator defaults to `vector_store.files_batch`", async () => {
    const { batchPath } = await run(seed(emulator, 3))
    const batch = (await run(call(emulator, "GET", batchPath))).json as Record<string, unknown>
    expect(batch["object"]).toBe("vector_store.files_batch")
    expect(validate("VectorStoreFileBatchObject", { ...batch, object: "vector_store.file_batch" }).valid).toBe(false)
  })
})
