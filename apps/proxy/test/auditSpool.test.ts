/**
 * The audit trail in Redis loses no record while Redis is down: each replica spools what it
 * cannot add, shows the spool in `/readyz` and `/metrics`, and adds it to the stream in order
 * and chained when Redis is back — or when it starts again after a SIGKILL. Real redis-server,
 * with an append-only log, killed and started again with its data.
 */
import { describe, expect, it } from "@effect/vitest"
import { haveRedis, runNode, startRedis } from "@filebatch/testkit"
import { Redis } from "ioredis"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as Harness from "./harness.js"

if (!haveRedis) console.warn("auditSpool.test.ts: redis-server is missing (apt-get install redis-server); skipped")

const cancelPath = (ref: { vectorStoreId: string; batchId: string }) =>
  `/v1/vector_stores/${ref.vectorStoreId}/file_batches/${ref.batchId}/cancel`

interface Spooling {
  readonly records: number
  readonly oldest_age_seconds?: number
}
const spoolOf = async (proxy: Harness.RunningProxy): Promise<Spooling> =>
  (JSON.parse((await Harness.call(proxy.url, "GET", "/readyz")).text) as { audit_spool: Spooling }).audit_spool

const streamRecords = async (url: string) => {
  const redis = new Redis(url)
  try {
    return (await redis.xrange("filebatch:audit", "-", "+")).map(([, fields]) => JSON.parse(fields[1]!))
  } finally {
    redis.disconnect()
  }
}

const verifyStream = (url: string) => runNode(Harness.bundle, ["audit", "verify", "--redis-url", url], {})

/** An emulator, a Redis with an append-only log, and proxies started by the test; all stopped afterwards. */
const withPersistentRedis = async (
  test: (setup: { upstream: Harness.RunningEmulator; redis: Awaited<ReturnType<typeof startRedis>> }) => Promise<void>
) => {
  const upstream = await Harness.startEmulator()
  const redis = await startRedis({ appendOnly: true })
  try {
    await test({ upstream, redis })
  } finally {
    await redis.stop()
    await upstream.close()
  }
}

describe.skipIf(!haveRedis)("the audit spool", () => {
  it(
    "60 cancels over two replicas, Redis killed after the 20th and back after the 40th: every answer recorded, in a chain that verifies",
    async () => {
      await withPersistentRedis(async ({ redis, upstream }) => {
        const env = { FILEBATCH_PROXY_REDIS_URL: redis.url }
        const replicas = [
          await Harness.startProxy(upstream.emulator, env),
          await Harness.startProxy(upstream.emulator, env)
        ]
        try {
          const refs = await Promise.all(Array.from({ length: 60 }, () => Harness.seed(upstream.emulator)))
          const answered: Array<string> = []
          const cancel = async (i: number) => {
            const reply = await Harness.call(replicas[i % 2]!.url, "POST", cancelPath(refs[i]!))
            expect(reply.status).toBe(200)
            answered.push(reply.headers.get("x-request-id")!)
          }
          for (let i = 0; i < 20; i++) await cancel(i)
          await redis.kill()
          for (let i = 20; i < 40; i++) await cancel(i)
          // Each replica holds its half of the outage's records, and says so.
          for (const proxy of replicas) {
            expect(await spoolOf(proxy)).toEqual({ records: 10, oldest_age_seconds: expect.any(Number) })
            expect(await Harness.gauge(proxy, "filebatch_proxy_audit_spool_records")).toBe(10)
          }
          await redis.restart()
          for (let i = 40; i < 60; i++) await cancel(i)
          for (const proxy of replicas) {
            await Harness.eventually("the spool added to the stream", async () => (await spoolOf(proxy)).records === 0)
            expect(await Harness.gauge(proxy, "filebatch_proxy_audit_spool_oldest_age_seconds")).toBe(0)
          }
          const records = await streamRecords(redis.url)
          expect(records.map((record) => record.request_id).sort()).toEqual([...answered].sort())
          expect(records.every((record) => record.status === 200 && record.operation === "cancel")).toBe(true)
          // Each replica's records in the order of its calls.
          for (const proxy of replicas) {
            const own = answered.filter((_, i) => replicas[i % 2] === proxy)
            const inStream = records.map((record) => record.request_id).filter((id: string) => own.includes(id))
            expect(inStream).toEqual(own)
          }
          const verified = await verifyStream(redis.url)
          expect(verified.code, verified.stdout + verified.stderr).toBe(0)
          expect(verified.stdout).toMatch(/^intact: 60 records in stream filebatch:audit/)
          for (const proxy of replicas) Harness.expectOnlyJsonLines(proxy)
        } finally {
          await Promise.all(replicas.map((proxy) => proxy.stop()))
        }
      })
    },
    120_000
  )

  it("a replica killed (SIGKILL) with records in its spool adds them first when it starts again", async () => {
    await withPersistentRedis(async ({ redis, upstream }) => {
      const spool = join(mkdtempSync(join(tmpdir(), "filebatch-spool-test-")), "audit-spool.jsonl")
      const env = { FILEBATCH_PROXY_REDIS_URL: redis.url, FILEBATCH_PROXY_AUDIT_SPOOL: spool }
      const refs = await Promise.all(Array.from({ length: 6 }, () => Harness.seed(upstream.emulator)))
      const answered: Array<string> = []
      const first = await Harness.startProxy(upstream.emulator, env)
      for (const ref of refs.slice(0, 2)) {
        answered.push((await Harness.call(first.url, "POST", cancelPath(ref))).headers.get("x-request-id")!)
      }
      await redis.kill()
      for (const ref of refs.slice(2)) {
        const reply = await Harness.call(first.url, "POST", cancelPath(ref))
        expect(reply.status).toBe(200)
        answered.push(reply.headers.get("x-request-id")!)
      }
      expect((await spoolOf(first)).records).toBe(4)
      await first.stop("SIGKILL")
      await redis.restart()
      // Its lock is left behind by a process that is gone: taken over.
      const again = await Harness.startProxy(upstream.emulator, env)
      try {
        expect((await spoolOf(again)).records).toBe(0)
        const records = await streamRecords(redis.url)
        expect(records.map((record) => record.request_id)).toEqual(answered)
        expect((await verifyStream(redis.url)).code).toBe(0)
        // Started once more: nothing is added twice.
        await again.stop()
        const third = await Harness.startProxy(upstream.emulator, env)
        await third.stop()
        expect(await streamRecords(redis.url)).toHaveLength(6)
      } finally {
        await again.stop()
      }
    })
  }, 120_000)

  it("failing closed, the refusals of the outage are spooled and added the same way", async () => {
    await withPersistentRedis(async ({ redis, upstream }) => {
      const proxy = await Harness.startProxy(upstream.emulator, {
        FILEBATCH_PROXY_REDIS_URL: redis.url,
        FILEBATCH_PROXY_REDIS_FAILURE: "closed",
        FILEBATCH_PROXY_RATE_LIMIT: "100"
      })
      try {
        const ref = await Harness.seed(upstream.emulator)
        await redis.kill()
        const refused = await Harness.call(proxy.url, "POST", cancelPath(ref))
        expect(refused.status).toBe(503)
        const ready = await Harness.call(proxy.url, "GET", "/readyz")
        expect(ready.status).toBe(503)
        expect(JSON.parse(ready.text)).toEqual({
          status: "unready",
          redis: "down",
          audit_spool: { records: 1, oldest_age_seconds: expect.any(Number) }
        })
        await redis.restart()
        await Harness.eventually("the spool added to the stream", async () => (await spoolOf(proxy)).records === 0)
        expect(await streamRecords(redis.url)).toEqual([
          expect.objectContaining({ request_id: refused.headers.get("x-request-id"), status: 503 })
        ])
      } finally {
        await proxy.stop()
      }
    })
  }, 60_000)

  it("one spool per replica: a second proxy on a spool in use is refused at start, naming it", async () => {
    await withPersistentRedis(async ({ redis, upstream }) => {
      const spool = join(mkdtempSync(join(tmpdir(), "filebatch-spool-test-")), "audit-spool.jsonl")
      const env = { FILEBATCH_PROXY_REDIS_URL: redis.url, FILEBATCH_PROXY_AUDIT_SPOOL: spool }
      const first = await Harness.startProxy(upstream.emulator, env)
      try {
        const second = await runNode(Harness.bundle, [], {
          OPENAI_API_KEY: Harness.upstreamKey,
          FILEBATCH_PROXY_KEYS: JSON.stringify([{ name: "team", sha256: Harness.sha256("sk-x"), vectorStores: "*" }]),
          PORT: "0",
          ...env
        })
        expect(second.code).toBe(1)
        expect(second.stderr).toContain(
          `FILEBATCH_PROXY_AUDIT_SPOOL: in use by process ${first.child.pid} (${spool}.lock): give each replica a spool of its own`
        )
      } finally {
        await first.stop()
      }
    })
  }, 60_000)
})
