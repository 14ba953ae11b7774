/**
 * Redis lost while a replica waits for another's answer to an identical cancel: the waiter
 * must stop waiting and call upstream itself, whether Redis dies (`kill -9`) or stalls
 * (`CLIENT PAUSE`: no connection drops), and must never wait past what the holder has left.
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
  type RunningEmulator,
  type RunningProxy,
  seed,
  untilHeld,
  upstreamRequests,
  withReplicas
} from "./harness.js"

if (!haveRedis) console.warn("redisOutage.test.ts: redis-server is missing (apt-get install redis-server); skipped")

/**
 * Replica A's cancel held upstream, replica B waiting on it with two callers (the second
 * joined B's own wait); returns the pending answers.
 */
const waiterOnOtherReplica = async (upstream: RunningEmulator, [a, b]: [RunningProxy, RunningProxy]) => {
  const { batchId, vectorStoreId } = await seed(upstream.emulator)
  await run(upstream.emulator.addFaults([{ batchId, operation: "cancel", times: 1, fault: { kind: "hold" } }]))
  const path = `/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}/cancel`
  const holder = call(a.url, "POST", path)
  await untilHeld(upstream.emulator, 1)
  const waiters = [call(b.url, "POST", path)]
  await eventually("B waiting on A", async () => (await gauge(b, "filebatch_proxy_waiting_on_other_replica")) === 1)
  waiters.push(call(b.url, "POST", path))
  // In flight on B: the two callers, and the scrape that asks.
  await eventually("a second caller on B", async () => (await gauge(b, "filebatch_proxy_in_flight_requests")) === 3)
  return { batchId, holder, waiters }
}

/** B answered on its own while A's call is still held upstream; then A answers too. */
const expectWaiterFellBack = async (
  upstream: RunningEmulator,
  [a, b]: [RunningProxy, RunningProxy],
  { batchId, holder, waiters }: Awaited<ReturnType<typeof waiterOnOtherReplica>>
) => {
  const answers = await Promise.all(waiters)
  expect(answers.map((answer) => answer.status)).toEqual([200, 200])
  expect(JSON.parse(answers[0]!.text).id).toBe(batchId)
  expect(await run(upstream.emulator.held)).toBe(1)
  expect(await gauge(b, "filebatch_proxy_waiting_on_other_replica")).toBe(0)
  await run(upstream.emulator.releaseHeld)
  expect((await holder).status).toBe(200)
  const cancels = (await upstreamRequests(upstream.emulator)).filter((entry) => entry.operation === "cancel")
  expect(cancels).toHaveLength(2)
  await eventually("B's warning", () => b.output().includes(`"message":"redis unreachable"`))
  expect(b.output().match(/"message":"redis unreachable"/g)).toHaveLength(1)
  for (const proxy of [a, b]) expectOnlyJsonLines(proxy)
}

describe.skipIf(!haveRedis)("a replica waiting on another when Redis is lost", () => {
  it("Redis killed: the waiter calls upstream itself at once, and its joined callers get that answer", async () => {
    await withReplicas({}, async ({ redis, replicas, upstream }) => {
      const waiting = await waiterOnOtherReplica(upstream, replicas)
      await redis.kill()
      await expectWaiterFellBack(upstream, replicas, waiting)
    })
  }, 60_000)

  it("Redis stalled (CLIENT PAUSE, no connection drops): the unanswered heartbeat ends the wait", async () => {
    await withReplicas({}, async ({ redis, replicas, upstream }) => {
      const waiting = await waiterOnOtherReplica(upstream, replicas)
      const admin = new Redis(redis.port, "127.0.0.1")
      try {
        // Every command of every client waits 8 s (CLIENT UNPAUSE too); B should give up within a second.
        await admin.call("CLIENT", "PAUSE", "8000", "ALL")
        await expectWaiterFellBack(upstream, replicas, waiting)
      } finally {
        admin.disconnect()
      }
      const b = replicas[1]
      await eventually("redis up again", async () => (await gauge(b, "filebatch_proxy_redis_up")) === 1)
      expect(await gauge(b, "filebatch_proxy_redis_outages_total")).toBe(1)
    })
  }, 60_000)

  it(
    "waits no longer than the lock has left: a lock its holder left behind is waited out, not its full lifetime",
    async () => {
      // The lock's full lifetime is core's deadline (2 minutes here); a replica that took it 1.6 s
      // ago and died has 400 ms left.
      await withReplicas({ FILEBATCH_DEADLINE: "2m" }, async ({ redis, replicas: [, b], upstream }) => {
        const { batchId, vectorStoreId } = await seed(upstream.emulator)
        const admin = new Redis(redis.port, "127.0.0.1")
        try {
          const lock = `filebatch:lock:/vector_stores/${vectorStoreId}/file_batches/${batchId}/cancel`
          await admin.set(lock, "a-replica-that-died", "PX", 400)
        } finally {
          admin.disconnect()
        }
        const answer = await call(b.url, "POST", `/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}/cancel`)
        expect(answer.status).toBe(200)
        expect(await gauge(b, "filebatch_proxy_waiting_on_other_replica")).toBe(0)
        expect(await gauge(b, "filebatch_proxy_coalesced_total")).toBe(0)
      })
    },
    60_000
  )
})
