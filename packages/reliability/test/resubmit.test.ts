/**
 * The whole way a user takes after a cancel: `cancel --wait --report`, then `resubmit`
 * through the proxy, then the official SDK's view of the new batches through the proxy.
 * The new batches hold exactly the reported files, split at the API's 2000.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { requestsOf, type RunningEmulator, seedBatch } from "@filebatch/testkit"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import OpenAI from "openai"
import { clientKey, runCli, type RunningProxy, startEmulator, startProxy, upstreamKey } from "./harness.js"

let upstream: RunningEmulator
let proxy: RunningProxy

beforeAll(async () => {
  // Nothing completes on its own (a minute a file); a cancel settles as soon as it is asked.
  upstream = await startEmulator({ cancelDelayMillis: 0, pollAfterMillis: 20 })
  proxy = await startProxy(upstream.emulator.url)
}, 60_000)

afterAll(async () => {
  await proxy?.stop()
  await upstream?.close()
})

describe("cancel, report, resubmit", () => {
  it(
    "makes new batches holding exactly the reported files, 2000 a batch, as the SDK sees them through the proxy",
    async () => {
      const { batchId, vectorStoreId } = await seedBatch(upstream.emulator, 4100)
      const report = join(mkdtempSync(join(tmpdir(), "filebatch-resubmit-")), "not-done.txt")
      const direct = { OPENAI_API_KEY: upstreamKey, OPENAI_BASE_URL: upstream.emulator.url }
      const cancelled = await runCli(["cancel", vectorStoreId, batchId, "--wait", "--report", report], direct)
      expect(cancelled.code, cancelled.stderr).toBe(0)
      const reported = readFileSync(report, "utf8").trim().split("\n")
      expect(reported).toHaveLength(4100)

      // Unpaced: at the organisation's 2000 files a minute this would take two minutes (the pace
      // is tested on the test clock, apps/cli/test/resubmitPace.test.ts).
      const viaProxy = {
        OPENAI_API_KEY: clientKey,
        OPENAI_BASE_URL: `${proxy.url}/v1`,
        FILEBATCH_FILES_PER_MINUTE: "1000000"
      }
      const resubmitted = await runCli(["resubmit", vectorStoreId, "--from", report, "--json"], viaProxy)
      expect(resubmitted.code, resubmitted.stderr).toBe(0)
      expect(resubmitted.stderr).toBe("3 batches created for 4100 files\n")
      const created = resubmitted.stdout.trim().split("\n").map((line) => JSON.parse(line) as { id: string })
      expect(created).toHaveLength(3)

      const sdk = new OpenAI({ apiKey: clientKey, baseURL: `${proxy.url}/v1`, maxRetries: 0 })
      const held: Array<Array<string>> = []
      for (const { id } of created) {
        const batch = await sdk.vectorStores.fileBatches.retrieve(id, { vector_store_id: vectorStoreId })
        expect(batch).toMatchObject({ id, vector_store_id: vectorStoreId, status: "in_progress" })
        const files: Array<string> = []
        for await (
          const file of sdk.vectorStores.fileBatches.listFiles(id, { vector_store_id: vectorStoreId, limit: 100 })
        ) {
          files.push(file.id)
        }
        expect(files).toHaveLength(batch.file_counts.total)
        held.push(files)
      }
      expect(held.map((files) => files.length)).toEqual([2000, 2000, 100])
      expect(held.flat().sort()).toEqual([...reported].sort())

      // Each create went upstream once: a create is never sent twice, and the proxy never shares one.
      const creates = (await requestsOf(upstream.emulator)).filter((entry) => entry.operation === "create_batch")
      expect(creates.map((entry) => entry.status)).toEqual([200, 200, 200])
      expect(creates.map((entry) => entry.headers["content-type"])).toEqual(Array(3).fill("application/json"))
    },
    120_000
  )
})
