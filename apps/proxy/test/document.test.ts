/**
 * `/openapi.json` describes exactly what the proxy sends: real answers of every route and
 * error status, made on purpose, validated against the document the proxy serves, with a
 * real JSON Schema validator (ajv, draft 2020-12 as OpenAPI 3.1 uses).
 */
import { describe, expect, it } from "@effect/vitest"
import { Ajv2020 } from "ajv/dist/2020.js"
import { call, type Reply, run, seed, withProxy } from "./harness.js"

interface Documented {
  readonly paths: Record<
    string,
    Record<string, { responses: Record<string, Response>; parameters: Array<{ schema: object }> }>
  >
  readonly components: { readonly schemas: Record<string, unknown> }
}
interface Response {
  readonly content?: Record<string, { schema: unknown }>
}

/** One answer the proxy sent, and what was asked. */
interface Seen {
  readonly method: string
  readonly path: string
  readonly reply: Reply
}

/** Checks one answer against the document: its path, method and status are declared, its body fits. */
const checker = (document: Documented) => {
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true })
  ajv.addSchema(document, "openapi.json")
  const templates = Object.keys(document.paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{\w+\}/g, "[^/]+")}$`)
  }))
  return ({ method, path, reply }: Seen) => {
    const where = `${method} ${path} → ${reply.status}`
    const template = templates.find(({ pattern }) => pattern.test(path.split("?")[0]!))?.template
    expect(template, where).toBeDefined()
    const operation = document.paths[template!]![method.toLowerCase()]
    expect(operation, where).toBeDefined()
    const response = operation!.responses[String(reply.status)]
    expect(response, `${where}: status not declared`).toBeDefined()
    const [contentType, media] = Object.entries(response!.content ?? {})[0]!
    const body = contentType === "application/json" ? JSON.parse(reply.text) : reply.text
    const pointer =
      `openapi.json#/paths/${template!.replace(/~/g, "~0").replace(/\//g, "~1")}/${method.toLowerCase()}/` +
      `responses/${reply.status}/content/${contentType.replace(/\//g, "~1")}/schema`
    expect(media.schema, where).toBeDefined()
    const validate = ajv.getSchema(pointer)!
    expect(validate(body), `${where}: ${ajv.errorsText(validate.errors)}\n${reply.text}`).toBe(true)
  }
}

describe("the OpenAPI document", () => {
  it("names OpenAI's error body once, declares no platform decode errors, and has no two schemas of one name", async () => {
    await withProxy({}, async (_upstream, proxy) => {
      const document = JSON.parse((await call(proxy.url, "GET", "/openapi.json")).text) as Documented
      const names = Object.keys(document.components.schemas)
      expect(names).toContain("ErrorResponse")
      expect(names.filter((name) => /HttpApi|Issue|PropertyKey/.test(name))).toEqual([])
      const titles = Object.values(document.components.schemas).flatMap((schema) =>
        typeof schema === "object" && schema !== null && "title" in schema ? [String(schema.title)] : []
      )
      expect(new Set(titles.map((title) => title.toLowerCase())).size).toBe(titles.length)
      const text = JSON.stringify(document.paths)
      expect(text).not.toContain(`"error":{"type":"object"`)
      // Every error answer of the API's operations is the one named body.
      for (const [template, methods] of Object.entries(document.paths)) {
        if (!template.startsWith("/v1/")) continue
        for (const operation of Object.values(methods)) {
          for (const [status, response] of Object.entries(operation.responses)) {
            if (status === "200") continue
            expect(response.content?.["application/json"]?.schema, `${template} ${status}`).toEqual({
              $ref: "#/components/schemas/ErrorResponse"
            })
          }
        }
      }
      // The ID rule the proxy enforces, in the path parameters.
      const cancel = document.paths["/v1/vector_stores/{vector_store_id}/file_batches/{batch_id}/cancel"]!.post!
      expect(cancel.parameters[0]!.schema).toMatchObject({ pattern: "^[A-Za-z0-9_-]+$", maxLength: 128 })
    })
  })

  it("every answer of every route, success and error, fits what the document declares", async () => {
    const seen: Array<Seen> = []
    const ask = async (url: string, method: string, path: string, options: Parameters<typeof call>[3] = {}) => {
      const reply = await call(url, method, path, options)
      seen.push({ method, path, reply })
      return reply
    }
    let document: Documented | undefined
    await withProxy({ FILEBATCH_MAX_RETRIES: "0", FILEBATCH_TIMEOUT: "300 millis" }, async (upstream, proxy) => {
      document = JSON.parse((await call(proxy.url, "GET", "/openapi.json")).text) as Documented
      const { batchId, vectorStoreId } = await seed(upstream.emulator)
      const batch = `/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}`
      expect((await ask(proxy.url, "POST", `${batch}/cancel`)).status).toBe(200)
      expect((await ask(proxy.url, "GET", batch)).status).toBe(200)
      expect((await ask(proxy.url, "GET", `${batch}/files?limit=1&filter=cancelled`)).status).toBe(200)
      expect((await ask(proxy.url, "GET", `/v1/vector_stores/vs_1/file_batches/bad!id`)).status).toBe(400)
      expect((await ask(proxy.url, "GET", `${batch}/files?limit=0`)).status).toBe(400)
      expect((await ask(proxy.url, "GET", batch, { key: null })).status).toBe(401)
      expect((await ask(proxy.url, "GET", batch, { key: "sk-client-team-b-654321" })).status).toBe(403)
      expect((await ask(proxy.url, "GET", `/v1/vector_stores/${vectorStoreId}/file_batches/vsfb_none`)).status)
        .toBe(404)
      expect((await ask(proxy.url, "POST", `${batch}/cancel`, { body: "x".repeat(300_000) })).status).toBe(413)
      for (const status of [409, 422, 429, 500, 503]) {
        await run(upstream.emulator.addFaults([{ batchId, operation: "retrieve", fault: { kind: "status", status } }]))
        expect((await ask(proxy.url, "GET", batch)).status).toBe(status)
      }
      await run(upstream.emulator.addFaults([{ batchId, operation: "retrieve", fault: { kind: "non-json" } }]))
      expect((await ask(proxy.url, "GET", batch)).status).toBe(502)
      await run(upstream.emulator.addFaults([{ batchId, operation: "retrieve", fault: { kind: "hang" } }]))
      expect((await ask(proxy.url, "GET", batch)).status).toBe(504)
      expect((await ask(proxy.url, "GET", "/healthz")).status).toBe(200)
      expect((await ask(proxy.url, "GET", "/readyz")).status).toBe(200)
      expect((await ask(proxy.url, "GET", "/metrics")).status).toBe(200)
    })
    await withProxy({ FILEBATCH_PROXY_RATE_LIMIT: "1", FILEBATCH_PROXY_ADMIN_PORT: "0" }, async (upstream, proxy) => {
      const { batchId, vectorStoreId } = await seed(upstream.emulator)
      const batch = `/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}`
      expect((await ask(proxy.url, "GET", batch)).status).toBe(200)
      expect((await ask(proxy.url, "GET", batch)).status).toBe(429)
      expect((await ask(proxy.url, "GET", "/metrics")).status).toBe(404)
    })
    await withProxy({ FILEBATCH_PROXY_DRAIN_DELAY: "1 minute" }, async (_upstream, proxy) => {
      proxy.child.kill("SIGTERM")
      await proxy.waitFor(/"message":"draining"/)
      expect((await ask(proxy.url, "GET", "/readyz")).status).toBe(503)
      proxy.child.kill("SIGKILL")
    })
    const check = checker(document!)
    for (const answer of seen) check(answer)
    const statuses = new Set(seen.map(({ reply }) => reply.status))
    expect([...statuses].sort()).toEqual([200, 400, 401, 403, 404, 409, 413, 422, 429, 500, 502, 503, 504])
  })
})
