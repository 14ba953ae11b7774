/**
 * `--json` / `-o json` print the API's objects exactly as received: every field of the
 * official spec's examples, fields no schema knows, and the upstream's order of fields.
 */
import { describe, expect, it } from "@effect/vitest"
import { runCli, startCannedUpstream } from "@filebatch/testkit"

const vs = "vs_abc123"
const batchId = "vsfb_abc123"

// The spec's `VectorStoreFileObject` example, with `attributes`, fields in another order, and one no schema knows.
const file = (id: string, status: string) =>
  JSON.stringify({
    status,
    id,
    object: "vector_store.file",
    usage_bytes: 1234,
    created_at: 1698107661,
    vector_store_id: vs,
    last_error: null,
    chunking_strategy: { type: "static", static: { max_chunk_size_tokens: 800, chunk_overlap_tokens: 400 } },
    attributes: { team: "search", priority: 2, reviewed: true },
    x_future_field: { nested: [1, "two"] }
  })

const pages = [[file("file-1", "completed"), file("file-2", "cancelled")], [file("file-3", "failed")]]

// The batch as the spec's example has it (the `vector_store.file_batch` spelling), with an unknown field first.
const batch = JSON.stringify({
  x_region: "eu",
  id: batchId,
  object: "vector_store.file_batch",
  created_at: 1699061776,
  vector_store_id: vs,
  status: "cancelled",
  file_counts: { in_progress: 0, completed: 1, failed: 1, cancelled: 1, total: 3 }
})

const upstream = () =>
  startCannedUpstream((request) => {
    const url = new URL(request.url!, "http://upstream")
    if (!url.pathname.endsWith("/files")) return { body: batch }
    const second = url.searchParams.get("after") === "file-2"
    const data = pages[second ? 1 : 0]!
    return {
      body: `{"object":"list","data":[${data.join(",")}],"first_id":"${second ? "file-3" : "file-1"}","last_id":"${
        second ? "file-3" : "file-2"
      }","has_more":${!second}}`
    }
  })

describe("JSON output is the API's objects as received", () => {
  it("every path that prints JSON prints each object byte for byte", async () => {
    const server = await upstream()
    try {
      const env = { OPENAI_API_KEY: "sk-json-test", OPENAI_BASE_URL: server.url }
      const printed = async (args: Array<string>, stdin?: string) => {
        const result = await runCli(args, env, stdin)
        expect(result.stderr).not.toMatch(/error/i)
        expect(result.code).toBe(0)
        return result.stdout.trimEnd().split("\n")
      }
      expect(await printed(["files", vs, batchId, "--json"])).toEqual(pages.flat())
      expect(await printed(["files", vs, batchId, "-o", "json", "--filter", "failed"])).toEqual(pages.flat())
      expect(await printed(["get", vs, batchId, "--json"])).toEqual([batch])
      expect(await printed(["cancel", vs, batchId, "--json"])).toEqual([batch])
      expect(await printed(["cancel", vs, batchId, "--wait", "--json"])).toEqual([batch])
      expect(await printed(["watch", vs, batchId, "-o", "json"])).toEqual([batch])
      expect(await printed(["cancel", "--from", "-", "--json"], `${vs} ${batchId}\n`)).toEqual([batch])
      expect(await printed(["cancel", "--from", "-", "--wait", "--json"], `${vs} ${batchId}\n`)).toEqual([batch])
    } finally {
      server.close()
    }
  })
})
