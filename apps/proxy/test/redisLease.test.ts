/**
 * A shared cancel's lock is a lease its holder renews while it calls: a lock nobody renews
 * is gone within the lease, whoever wrote it, and the cancels of its batch go on. Each test
 * sets core's deadline to 10 minutes, so that a lock held for a call's whole deadline (as it
 * once was) would stall it far past the test's time limit.
 */
import { describe, expect, it } from "@effect/vitest"
import { haveRedis } from "@filebatch/testkit"
import { Redis } from "ioredis"
import {
  call,
  eventually,
  expectOnlyJsonLines,
  gauge,
  run,
  type RunningProxy,
  seed,
  untilHeld,
  upstreamRequests,
  withReplicas
} from "./harness.js"

if (!haveRedis) console.warn("redisLease.test.ts: redis-server is missing (apt-get install redis-server); skipped")

const longDeadline = { FILEBATCH_DEADLINE: "10m" }
const cancelPath = (vectorStoreId: string, batchId: string) =>
  `/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}/cancel`
/** The lock's key: the call's path under the API's root (core's PathTemplate.fill). */
const lockOf = (vectorStoreId: string, batchId: string) =>
  `filebatch:lock:${cancelPath(vectorStoreId, batchId).slice("/v1".length)}`

const waitingOnOther = (proxy: RunningProxy) =>
  eventually(
    "a cancel waiting on the other replica",
    async () => (await gauge(proxy, "filebatch_proxy_waiting_on_other_replica")) === 1
  )

const withAdmin = async <A>(port: number, use: (admin: Redis) => Promise<A>) => {
  const admin = new Redis(port, "127.0.0.1")
  try {
    return await use(admin)
  } finally {
    admin.disconnect()
  }
}

describe.skipIf(!haveRedis)("a shared cancel's lock is a lease", () => {
  it("its holder renews it while the call runs: waiters wait past the lease, one upstream call", async () => {
    const env = { ...longDeadline, FILEBATCH_PROXY_LOCK_LEASE: "2s", FILEBATCH_PROXY_LOCK_RENEW: "250ms" }
    await withReplicas(env, async ({ redis, replicas: [a, b], upstream }) => {
      const { batchId, vectorStoreId } = await seed(upstream.emulator)
      await run(upstream.emulator.addFaults([{ batchId, operation: "cancel", fault: { kind: "hold" } }]))
      const holder = call(a.url, "POST", cancelPath(vectorStoreId, batchId))
      await untilHeld(upstream.emulator, 1)
      const waiter = call(b.url, "POST", cancelPath(vectorStoreId, batchId))
      await waitingOnOther(b)
      // Three leases go by while A's call is held upstream; A's lock is the same one all along.
      const lock = lockOf(vectorStoreId, batchId)
      const token = await withAdmin(redis.port, (admin) => admin.get(lock))
      expect(token).not.toBeNull()
      const started = Date.now()
      await eventually("three leases gone by", () => Date.now() - started > 6_000, { timeoutMillis: 30_000 })
      await withAdmin(redis.port, async (admin) => {
        expect(await admin.get(lock)).toBe(token)
        const left = await admin.pttl(lock)
        expect(left).toBeGreaterThan(0)
        expect(left).toBeLessThanOrEqual(2_000)
      })
      expect(await gauge(b, "filebatch_proxy_waiting_on_other_replica")).toBe(1)
      await run(upstream.emulator.releaseHeld)
      const answers = await Promise.all([holder, waiter])
      expect(answers.map((answer) => answer.status)).toEqual([200, 200])
      expect(answers[1]!.text).toBe(answers[0]!.text)
      const cancels = (await upstreamRequests(upstream.emulator)).filter((entry) => entry.operation === "cancel")
      expect(cancels).toHaveLength(1)
      expect(await gauge(b, "filebatch_proxy_coalesced_total")).toBe(1)
      // Answered: the lock is gone with the answer.
      expect(await withAdmin(redis.port, (admin) => admin.exists(lock))).toBe(0)
    })
  }, 60_000)

  it("its holder killed (kill -9): the waiter on the other replica calls itself once the lease runs out", async () => {
    // The default lease (5 s).
    await withReplicas(longDeadline, async ({ replicas: [a, b], upstream }) => {
      const { batchId, vectorStoreId } = await seed(upstream.emulator)
      // A's cancel never comes back from upstream; the next one does.
      await run(upstream.emulator.addFaults([{ batchId, operation: "cancel", times: 1, fault: { kind: "hold" } }]))
      void call(a.url, "POST", cancelPath(vectorStoreId, batchId)).catch(() => "A died")
      await untilHeld(upstream.emulator, 1)
      const waiter = call(b.url, "POST", cancelPath(vectorStoreId, batchId))
      await waitingOnOther(b)
      const killed = Date.now()
      await a.stop("SIGKILL")
      const answer = await waiter
      const stalledMillis = Date.now() - killed
      console.log(`redisLease.test.ts: the waiter answered ${stalledMillis} ms after its holder was killed`)
      expect(answer.status).toBe(200)
      expect(JSON.parse(answer.text)).toMatchObject({ id: batchId })
      const cancels = (await upstreamRequests(upstream.emulator)).filter((entry) => entry.operation === "cancel")
      expect(cancels).toHaveLength(2)
      expect(await gauge(b, "filebatch_proxy_waiting_on_other_replica")).toBe(0)
      expectOnlyJsonLines(b)
      await run(upstream.emulator.releaseHeld)
    })
  }, 60_000)

  it(
    "a lock written by hand with no expiry and no holder: cut to a lease, its batch's cancels not stalled",
    async () => {
      await withReplicas(
        { ...longDeadline, FILEBATCH_PROXY_LOCK_LEASE: "2s", FILEBATCH_PROXY_LOCK_RENEW: "500ms" },
        async ({ redis, replicas, upstream }) => {
          const { batchId, vectorStoreId } = await seed(upstream.emulator)
          const lock = lockOf(vectorStoreId, batchId)
          await withAdmin(redis.port, (admin) => admin.set(lock, "nobody-holds-this"))
          const answers = await Promise.all(
            Array.from({ length: 6 }, (_, i) => call(replicas[i % 2]!.url, "POST", cancelPath(vectorStoreId, batchId)))
          )
          expect(answers.map((answer) => answer.status)).toEqual(Array(6).fill(200))
          expect(new Set(answers.map((answer) => JSON.parse(answer.text).id))).toEqual(new Set([batchId]))
          // The first waiter cut the stray lock to a lease, then took it once it was gone.
          const cancels = (await upstreamRequests(upstream.emulator)).filter((entry) => entry.operation === "cancel")
          expect(cancels.length).toBeGreaterThanOrEqual(1)
          expect(cancels.length).toBeLessThanOrEqual(2)
          expect(await withAdmin(redis.port, (admin) => admin.exists(lock))).toBe(0)
        }
      )
    },
    60_000
  )

  it(
    "a take that timed out here during CLIENT PAUSE and ran on Redis afterwards: that lock expires by itself",
    async () => {
      await withReplicas(
        { ...longDeadline, FILEBATCH_PROXY_LOCK_LEASE: "5s", FILEBATCH_PROXY_LOCK_RENEW: "1s" },
        async ({ redis, replicas: [a, b], upstream }) => {
          const { batchId, vectorStoreId } = await seed(upstream.emulator)
          const lock = lockOf(vectorStoreId, batchId)
          await withAdmin(redis.port, async (admin) => {
            // Every command of every client waits 6 s; A's take gives up after 500 ms and A calls itself.
            await admin.call("CLIENT", "PAUSE", "6000", "ALL")
            const during = await call(a.url, "POST", cancelPath(vectorStoreId, batchId))
            expect(during.status).toBe(200)
            // When the pause ends, Redis runs A's take: a lock that no replica holds.
            const token = await eventually(
              "the timed-out take run on Redis",
              async () => (await admin.get(lock)) ?? undefined,
              {
                timeoutMillis: 30_000
              }
            )
            expect(token).not.toBeNull()
            expect(await admin.pttl(lock)).toBeLessThanOrEqual(5_000)
          })
          for (const proxy of [a, b]) {
            await eventually("redis up again", async () => (await gauge(proxy, "filebatch_proxy_redis_up")) === 1)
          }
          // The batch's cancels, on both replicas, wait out that lock's lease at the most.
          const after = await Promise.all(
            Array.from({ length: 6 }, (_, i) => call([a, b][i % 2]!.url, "POST", cancelPath(vectorStoreId, batchId)))
          )
          expect(after.map((answer) => answer.status)).toEqual(Array(6).fill(200))
          expect(await withAdmin(redis.port, (admin) => admin.exists(lock))).toBe(0)
          for (const proxy of [a, b]) expectOnlyJsonLines(proxy)
        }
      )
    },
    90_000
  )
})
