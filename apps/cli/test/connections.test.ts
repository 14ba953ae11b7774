import { describe, expect, it } from "@effect/vitest"
import { runCli } from "@filebatch/testkit"
import { createServer } from "node:http"

/** A canned upstream that counts the TCP connections it is opened. */
const countingUpstream = () =>
  new Promise<{ url: string; connections: () => number; requests: () => number; close: () => void }>((resolve) => {
    let connections = 0
    let requests = 0
    const server = createServer((request, response) => {
      requests++
      request.resume()
      const [, vs, batch] = /vector_stores\/([\w-]+)\/file_batches\/([\w-]+)/.exec(request.url ?? "") ?? []
      const body = JSON.stringify({
        id: batch,
        object: "vector_store.files_batch",
        created_at: 1,
        vector_store_id: vs,
        status: "cancelled",
        file_counts: { in_progress: 0, completed: 1, failed: 0, cancelled: 1, total: 2 }
      })
      response.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
      response.end(body)
    })
    server.on("connection", () => connections++)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number }
      resolve({
        url: `http://127.0.0.1:${port}/v1`,
        connections: () => connections,
        requests: () => requests,
        close: () => (server.close(), server.closeAllConnections())
      })
    })
  })

describe("connections", () => {
  it("bulk cancels reuse their connections: never more open than --concurrency", async () => {
    const upstream = await countingUpstream()
    try {
      const input = Array.from({ length: 200 }, (_, i) => `vs_bulk vsfb_${i}`).join("\n")
      const result = await runCli(
        ["cancel", "--from", "-", "--concurrency", "64"],
        { OPENAI_API_KEY: "sk-bulk-connections", OPENAI_BASE_URL: upstream.url },
        input
      )
      expect(result.code).toBe(0)
      expect(upstream.requests()).toBe(200)
      expect(upstream.connections()).toBeLessThanOrEqual(64)
    } finally {
      upstream.close()
    }
  })
})
