import { describe, expect, it } from "@effect/vitest"
import { runCli, startCannedUpstream } from "@filebatch/testkit"

/** A canned upstream: every batch is cancelled. */
const countingUpstream = () =>
  startCannedUpstream((request) => {
    const [, vs, batch] = /vector_stores\/([\w-]+)\/file_batches\/([\w-]+)/.exec(request.url ?? "") ?? []
    return {
      body: JSON.stringify({
        id: batch,
        object: "vector_store.files_batch",
        created_at: 1,
        vector_store_id: vs,
        status: "cancelled",
        file_counts: { in_progress: 0, completed: 1, failed: 0, cancelled: 1, total: 2 }
      })
    }
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
