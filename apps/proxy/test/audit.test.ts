/**
 * The audit trail through the bundled proxy: one record per state-changing call by a known
 * key, written before the answer; read on the admin port only; a chain that
 * `filebatch-proxy audit verify` checks and that names the one record changed; a file that
 * loses no answered record when the proxy is killed with SIGKILL under load; and with Redis,
 * one stream for two replicas, in order for each batch, whole after a replica is killed.
 */
import { describe, expect, it } from "@effect/vitest"
import { adminUrlOf, haveRedis, runNode, trailFile } from "@filebatch/testkit"
import { Redis } from "ioredis"
import { readFileSync, writeFileSync } from "node:fs"
import * as Harness from "./harness.js"

const recordsIn = (path: string) =>
  readFileSync(path, "utf8").split("\n").filter((line) => line !== "").map((line) => JSON.parse(line))
const verifyFile = (...paths: Array<string>) =>
  runNode(Harness.bundle, ["audit", "verify", ...paths.flatMap((path) => ["--file", path])], {})
const cancelPath = (ref: { vectorStoreId: string; batchId: string }) =>
  `/v1/vector_stores/${ref.vectorStoreId}/file_batches/${ref.batchId}/cancel`

describe("the audit trail in a file", () => {
  it("records each cancel and create by a known key before its answer; /audit on the admin port only", async () => {
    const file = trailFile()
    await Harness.withProxy(
      { FILEBATCH_PROXY_AUDIT_FILE: file, FILEBATCH_PROXY_ADMIN_PORT: "0" },
      async (upstream, proxy) => {
        const admin = await adminUrlOf(proxy)
        const ref = await Harness.seed(upstream.emulator)
        const cancelled = await Harness.call(proxy.url, "POST", cancelPath(ref))
        expect(cancelled.status).toBe(200)
        // The record is there as soon as the answer is.
        const [first] = recordsIn(file)
        expect(first).toMatchObject({
          key: "team-a",
          operation: "cancel",
          vector_store_id: ref.vectorStoreId,
          batch_id: ref.batchId,
          request_id: cancelled.headers.get("x-request-id"),
          status: 200,
          batch_status: (cancelled.json as { status: string }).status,
          error_type: null,
          attempts: 1,
          coalesced: false,
          prev: "0".repeat(64)
        })
        expect(first.upstream_request_id).toEqual(expect.any(String))
        // Refused for its store: recorded, with the error's type.
        const forbidden = await Harness.call(proxy.url, "POST", cancelPath(ref), { key: Harness.clientKeys.b })
        expect(forbidden.status).toBe(403)
        // A create names the batch it made; reads are not recorded, nor unknown keys.
        const created = await Harness.call(proxy.url, "POST", `/v1/vector_stores/${ref.vectorStoreId}/file_batches`, {
          body: JSON.stringify({ file_ids: ["file-a"] }),
          headers: { "content-type": "application/json" }
        })
        expect(created.status).toBe(200)
        await Harness.call(proxy.url, "GET", `/v1/vector_stores/${ref.vectorStoreId}/file_batches/${ref.batchId}`)
        await Harness.call(proxy.url, "POST", cancelPath(ref), { key: "sk-nobody-0000000000" })
        const records = recordsIn(file)
        expect(records.map((record) => [record.key, record.operation, record.status, record.error_type])).toEqual([
          ["team-a", "cancel", 200, null],
          ["team-b", "cancel", 403, "permission_error"],
          ["team-a", "createFileBatch", 200, null]
        ])
        expect(records[2].batch_id).toBe((created.json as { id: string }).id)
        const text = readFileSync(file, "utf8")
        for (const secret of [Harness.upstreamKey, Harness.clientKeys.a, Harness.clientKeys.b, "sk-nobody"]) {
          expect(text).not.toContain(secret)
        }

        // Read back on the admin port, filtered; never on the public one.
        const byBatch = await Harness.call(admin, "GET", `/audit?batch_id=${ref.batchId}`, { key: null })
        expect(byBatch.status).toBe(200)
        expect(byBatch.headers.get("content-type")).toBe("application/x-ndjson")
        expect(byBatch.text.trim().split("\n").map((line) => JSON.parse(line).key)).toEqual(["team-a", "team-b"])
        const byKey = await Harness.call(admin, "GET", "/audit?key=team-a&limit=1", { key: null })
        expect(JSON.parse(byKey.text).operation).toBe("createFileBatch")
        const later = await Harness.call(admin, "GET", `/audit?since=${Date.now() + 60_000}`, { key: null })
        expect(later.text).toBe("")
        // Every admin answer that is an error has OpenAI's error body, as the public port's do.
        const badLimit = await Harness.call(admin, "GET", "/audit?limit=lots", { key: null })
        expect(badLimit.status).toBe(400)
        expect(badLimit.json).toEqual({
          error: {
            message: "Invalid 'limit': must be a whole number from 1 to 10000.",
            type: "invalid_request_error",
            param: "limit",
            code: "invalid_value"
          }
        })
        const misspelt = await Harness.call(admin, "GET", "/audit?batch=vsfb_1", { key: null })
        expect(misspelt.json).toMatchObject({ error: { param: "batch", code: "invalid_value" } })
        const posted = await Harness.call(admin, "POST", "/audit", { key: null })
        expect(posted.status).toBe(405)
        expect(posted.headers.get("allow")).toBe("GET")
        expect(posted.json).toMatchObject({ error: { code: "method_not_allowed" } })
        const nowhere = await Harness.call(admin, "GET", "/nowhere", { key: null })
        expect(nowhere.status).toBe(404)
        expect(nowhere.json).toMatchObject({ error: { message: "Invalid URL (GET /nowhere)" } })
        // The admin routes are not served to clients, nor the API on the admin port.
        expect((await Harness.call(proxy.url, "GET", "/audit")).status).toBe(404)
        expect((await Harness.call(admin, "POST", cancelPath(ref), { key: null })).status).toBe(404)
      }
    )

    // The chain holds; one byte changed in one record is found, and named.
    expect(await verifyFile(file)).toMatchObject({ code: 0, stdout: expect.stringContaining("intact: 3 records") })
    const lines = readFileSync(file, "utf8").split("\n")
    lines[1] = lines[1]!.replace("\"status\":403", "\"status\":200")
    writeFileSync(file, lines.join("\n"))
    const broken = await verifyFile(file)
    expect(broken.code).toBe(1)
    expect(broken.stdout).toBe(
      `broken: record 2 (${file}:2): its content does not match its hash (the record was changed)\n`
    )
  })

  it("a proxy killed with SIGKILL under load leaves a chain that verifies and every answered call recorded", async () => {
    const file = trailFile()
    const upstream = await Harness.startEmulator()
    try {
      const refs = await Promise.all(Array.from({ length: 40 }, () => Harness.seed(upstream.emulator)))
      const proxy = await Harness.startProxy(upstream.emulator, { FILEBATCH_PROXY_AUDIT_FILE: file })
      const answered: Array<string> = []
      let killed = false
      // Eight clients cancelling one batch after another until the proxy is gone.
      const client = async (offset: number) => {
        for (let i = offset; !killed; i += 8) {
          try {
            const reply = await Harness.call(proxy.url, "POST", cancelPath(refs[i % refs.length]!))
            if (reply.status === 200) answered.push(reply.headers.get("x-request-id")!)
          } catch {
            return
          }
        }
      }
      const clients = Array.from({ length: 8 }, (_, i) => client(i))
      await Harness.eventually("200 answered cancels", () => answered.length >= 200)
      proxy.child.kill("SIGKILL")
      killed = true
      await proxy.exit
      await Promise.all(clients)

      const verdict = await verifyFile(file)
      expect(verdict.code, verdict.stdout).toBe(0)
      const recorded = new Set(recordsIn(file).map((record) => record.request_id))
      expect(answered.filter((id) => !recorded.has(id))).toEqual([])
    } finally {
      await upstream.close()
    }
  })

  it("a client that goes away before its answer is recorded as it goes", async () => {
    const file = trailFile()
    await Harness.withProxy({ FILEBATCH_PROXY_AUDIT_FILE: file }, async (upstream, proxy) => {
      const ref = await Harness.seed(upstream.emulator)
      await Harness.run(
        upstream.emulator.addFaults([{ batchId: ref.batchId, operation: "cancel", fault: { kind: "hold" } }])
      )
      const client = new AbortController()
      const gone = fetch(`${proxy.url}${cancelPath(ref)}`, {
        method: "POST",
        headers: { authorization: `Bearer ${Harness.clientKeys.a}`, "x-request-id": "req-gone-early" },
        signal: client.signal
      }).catch(() => "aborted")
      await Harness.untilHeld(upstream.emulator, 1)
      client.abort()
      expect(await gone).toBe("aborted")
      await proxy.waitFor(/"status":499,.*"outcome":"client_closed"/)
      await Harness.run(upstream.emulator.releaseHeld)
    })
    expect(recordsIn(file)).toEqual([expect.objectContaining({
      key: "team-a",
      batch_id: expect.any(String),
      request_id: "req-gone-early",
      status: 499,
      error_type: "client_closed"
    })])
  })

  it("its retention moves a full file aside and the chain goes on across both", async () => {
    const file = trailFile()
    await Harness.withProxy({
      FILEBATCH_PROXY_AUDIT_FILE: file,
      FILEBATCH_PROXY_AUDIT_MAX_RECORDS: "3"
    }, async (upstream, proxy) => {
      const ref = await Harness.seed(upstream.emulator)
      for (let i = 0; i < 5; i++) expect((await Harness.call(proxy.url, "POST", cancelPath(ref))).status).toBe(200)
    })
    expect(recordsIn(`${file}.1`)).toHaveLength(3)
    expect(recordsIn(file)).toHaveLength(2)
    expect(await verifyFile(`${file}.1`, file)).toMatchObject({ code: 0 })
    // Out of order, the seam is found.
    expect((await verifyFile(file, `${file}.1`)).code).toBe(1)
  })

  it("records cut off the end are found by the head kept beside the file, and a proxy started on it keeps the cut", async () => {
    const file = trailFile()
    const cancelAll = (count: number) => async (upstream: Harness.RunningEmulator, proxy: Harness.RunningProxy) => {
      const ref = await Harness.seed(upstream.emulator)
      for (let i = 0; i < count; i++) expect((await Harness.call(proxy.url, "POST", cancelPath(ref))).status).toBe(200)
    }
    await Harness.withProxy({ FILEBATCH_PROXY_AUDIT_FILE: file }, cancelAll(4))
    expect(await verifyFile(file)).toMatchObject({ code: 0 })
    const lines = readFileSync(file, "utf8").split("\n").filter((line) => line !== "")
    expect(readFileSync(`${file}.head`, "utf8")).toBe(`${JSON.parse(lines[3]!).hash}\n`)
    // The last two records cut off: every record left is whole and chained; the head says what is missing.
    writeFileSync(file, lines.slice(0, 2).map((line) => `${line}\n`).join(""))
    const cut = await verifyFile(file)
    expect(cut.code).toBe(1)
    expect(cut.stdout).toBe(
      `broken: after record 2 (${file}:2): the trail's head is not its last record (records were removed from the end)\n`
    )
    // The proxy goes on from the head, not from the cut file's last record: the seam stays in the chain.
    await Harness.withProxy({ FILEBATCH_PROXY_AUDIT_FILE: file }, cancelAll(1))
    const after = await verifyFile(file)
    expect(after.code).toBe(1)
    expect(after.stdout).toBe(
      `broken: record 3 (${file}:3): its prev is not the hash of the record before it ` +
        "(a record was removed, added or reordered)\n"
    )
    // Everything cut off: the head still names a record.
    writeFileSync(file, "")
    expect((await verifyFile(file)).stdout).toMatch(/^broken: .* holds no record, but its head names one/)
  })

  it("a file with Redis is refused at start, naming both settings", async () => {
    const ran = await runNode(Harness.bundle, [], {
      OPENAI_API_KEY: Harness.upstreamKey,
      FILEBATCH_PROXY_KEYS: "[]",
      FILEBATCH_PROXY_REDIS_URL: "redis://127.0.0.1:1",
      FILEBATCH_PROXY_AUDIT_FILE: trailFile()
    })
    expect(ran.code).toBe(1)
    expect(ran.stderr).toContain("FILEBATCH_PROXY_AUDIT_FILE is for a proxy without Redis")
  })
})

if (!haveRedis) {
  console.warn("audit.test.ts: redis-server is missing (apt-get install redis-server); its Redis test skipped")
}

describe.skipIf(!haveRedis)("the audit trail in Redis", () => {
  it("two replicas write one stream: in order for each batch, and whole after one is killed under load", async () => {
    await Harness.withReplicas({ FILEBATCH_PROXY_ADMIN_PORT: "0" }, async ({ redis, replicas, upstream }) => {
      const ref = await Harness.seed(upstream.emulator)
      // One batch, cancelled ten times, turn by turn through each replica.
      const ids: Array<string> = []
      for (let i = 0; i < 10; i++) {
        const reply = await Harness.call(replicas[i % 2]!.url, "POST", cancelPath(ref))
        expect(reply.status).toBe(200)
        ids.push(reply.headers.get("x-request-id")!)
      }
      const admin = await adminUrlOf(replicas[1])
      const read = await Harness.call(admin, "GET", `/audit?batch_id=${ref.batchId}`, { key: null })
      const records = read.text.trim().split("\n").map((line) => JSON.parse(line))
      expect(records.map((record) => record.request_id)).toEqual(ids)
      expect(new Set(records.map((record) => record.replica)).size).toBe(2)

      // Load on both, then one replica killed.
      const refs = await Promise.all(Array.from({ length: 20 }, () => Harness.seed(upstream.emulator)))
      let killed = false
      let answered = 0
      const client = async (replica: Harness.RunningProxy, offset: number) => {
        for (let i = offset; !killed; i += 4) {
          try {
            const reply = await Harness.call(replica.url, "POST", cancelPath(refs[i % refs.length]!))
            if (reply.status === 200) answered += 1
          } catch {
            if (replica === replicas[0]) return
          }
        }
      }
      const clients = [0, 1, 2, 3].map((i) => client(replicas[i % 2]!, i))
      await Harness.eventually("100 answered cancels", () => answered >= 100)
      replicas[0].child.kill("SIGKILL")
      await replicas[0].exit
      await Harness.eventually("50 more answered by the other replica", () => answered >= 150)
      killed = true
      await Promise.all(clients)

      const verified = await runNode(Harness.bundle, ["audit", "verify", "--redis-url", redis.url], {})
      expect(verified.code, verified.stdout + verified.stderr).toBe(0)
      expect(verified.stdout).toMatch(/^intact: \d+ records in stream filebatch:audit/)

      // Tampering in Redis: an entry removed from the middle is found, and the one after it named.
      const direct = new Redis(redis.url)
      try {
        const entries = await direct.xrange("filebatch:audit", "-", "+")
        await direct.xdel("filebatch:audit", entries[5]![0])
        const removed = await runNode(Harness.bundle, ["audit", "verify", "--redis-url", redis.url], {})
        expect(removed.code).toBe(1)
        expect(removed.stdout).toBe(
          `broken: record 6 (${entries[6]![0]}): its prev is not the hash of the record before it ` +
            "(a record was removed, added or reordered)\n"
        )
      } finally {
        direct.disconnect()
      }
    })
  })
})
