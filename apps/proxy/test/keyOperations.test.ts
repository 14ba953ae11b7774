/**
 * A client key's `operations`: what it may call, from core's operation names. A key that names
 * none may call what every key could before; a refused call is a 403 in OpenAI's shape, and a
 * refused state-changing call is in the audit trail with the key's name.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Testkit from "@filebatch/testkit"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import OpenAI from "openai"
import * as Harness from "./harness.js"

const readerKey = "sk-client-reader-000111"

describe("a client key's operations", () => {
  it("a read-only key reads and is refused a cancel (403, audited); a key without the list may do what it did", async () => {
    const trail = join(mkdtempSync(join(tmpdir(), "filebatch-keyops-")), "trail.jsonl")
    const upstream = await Harness.startEmulator()
    const proxy = await Testkit.startProxy({
      upstreamUrl: upstream.emulator.url,
      upstreamKey: Harness.upstreamKey,
      clients: [
        { name: "reader", key: readerKey, vectorStores: "*", operations: ["retrieve", "listFiles"] },
        { name: "team-a", key: Harness.clientKeys.a, vectorStores: "*" }
      ],
      env: { FILEBATCH_PROXY_AUDIT_FILE: trail }
    })
    try {
      const { batchId, vectorStoreId } = await Harness.seed(upstream.emulator)
      const sdk = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${proxy.url}/v1`, maxRetries: 0 })
      const reader = sdk(readerKey)
      const read = await reader.vectorStores.fileBatches.retrieve(batchId, { vector_store_id: vectorStoreId })
      expect(read.id).toBe(batchId)
      const refused = await reader.vectorStores.fileBatches.cancel(batchId, { vector_store_id: vectorStoreId }).then(
        () => undefined,
        (error: unknown) => error
      )
      expect(refused).toBeInstanceOf(OpenAI.PermissionDeniedError)
      expect((refused as InstanceType<typeof OpenAI.PermissionDeniedError>).error).toMatchObject({
        message: "This key may not call 'cancel'.",
        type: "permission_error",
        code: "forbidden"
      })
      // Nothing reached the upstream for the refused cancel.
      const cancels = (await Harness.upstreamRequests(upstream.emulator)).filter((entry) =>
        entry.operation === "cancel"
      )
      expect(cancels).toEqual([])
      // A key that names no operations cancels as before.
      const cancelled = await sdk(Harness.clientKeys.a).vectorStores.fileBatches.cancel(batchId, {
        vector_store_id: vectorStoreId
      })
      expect(cancelled.id).toBe(batchId)
      const records = readFileSync(trail, "utf8").trim().split("\n").map((line) => JSON.parse(line))
      expect(records.map((record) => [record.key, record.operation, record.status, record.error_type])).toEqual([
        ["reader", "cancel", 403, "permission_error"],
        ["team-a", "cancel", 200, null]
      ])
    } finally {
      await proxy.stop()
      await upstream.close()
    }
  })

  it("an operation that is not core's stops the proxy at start, naming the ones there are", async () => {
    const keys = JSON.stringify([
      { name: "x", sha256: Harness.sha256("sk-x-0000000000"), vectorStores: "*", operations: ["cancel", "deleteAll"] }
    ])
    const started = Harness.spawnNode(Harness.bundle, [], {
      PORT: "0",
      OPENAI_API_KEY: Harness.upstreamKey,
      FILEBATCH_PROXY_KEYS: keys
    })
    expect(await started.exit).toBe(1)
    expect(started.output()).toMatch(
      /operations must be "\*" or a list of: cancel, retrieve, listFiles, createFileBatch/
    )
  })
})
