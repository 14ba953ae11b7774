/**
 * Replicas sharing a real redis-server (one per test, loopback, free port, no persistence):
 * one rate limit across replicas, one upstream call for identical cancels across replicas,
 * and Redis lost and back while requests keep coming.
 */
import { describe, expect, it } from "@effect/vitest"
import { haveRedis, startRedis } from "@filebatch/testkit"
import { Redis } from "ioredis"
import {
  call,
  clientKeys,
  eventually,
  expectOnlyJsonLines,
  gauge,
  run,
  seed,
  startEmulator,
  startProxy,
  untilHeld,
  upstreamRequests,
  withReplicas
} from "./harness.js"

if (!haveRedis) console.warn("redis.test.ts: redis-server is missing (apt-get install redis-server); skipped")

describe.skipIf(!haveRedis)("replicas sharing Redis", () => {
  it("admit at most the configured limit per key in total", async () => {
    await withReplicas({ FILEBATCH_PROXY_RATE_LIMIT: "6", FILEBATCH_PROXY_RATE_LIMIT_WINDOW: "1h" }, async (setup) => {
      const { batchId, vectorStoreId } = await seed(setup.upstream.emulator)
      const path = `/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}`
      const statuses: Array<number> = []
      for (let i = 0; i < 12; i++) statuses.push((await call(setup.replicas[i % 2]!.url, "GET", path)).status)
      expect(statuses.filter((status) => status === 200)).toHaveLength(6)
      expect(statuses.filter((status) => status === 429)).toHaveLength(6)
      // Each replica admitted some: the limit is one, not one per replica.
      expect(statuses.slice(0, 6)).toEqual([200, 200, 200, 200, 200, 200])
      const ready = await call(setup.replicas[0].url, "GET", "/readyz")
      expect(JSON.parse(ready.text)).toEqual({ status: "ready", redis: "up", audit_spool: { records: 0 } })
    })
  })

  it("share one upstream call for identical cancels spread over both", async () => {
    await withReplicas({}, async (setup) => {
      const { batchId, vectorStoreId } = await seed(setup.upstream.emulator)
      await run(setup.upstream.emulator.addFaults([{ batchId, operation: "cancel", fault: { kind: "hold" } }]))
      const path = `/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}/cancel`
      const pending = Array.from({ length: 100 }, (_, i) => call(setup.replicas[i % 2]!.url, "POST", path))
      // One replica's call is held upstream; the other's leader waits for its answer through Redis.
      await untilHeld(setup.upstream.emulator, 1)
      await eventually("one replica waiting on the other", async () => {
        const waiting = await Promise.all(
          setup.replicas.map((proxy) => gauge(proxy, "filebatch_proxy_waiting_on_other_replica"))
        )
        return waiting.sort().join(",") === "0,1"
      })
      for (const proxy of setup.replicas) {
        await eventually(
          "50 callers in flight",
          async () => (await gauge(proxy, "filebatch_proxy_in_flight_requests")) === 51
        )
      }
      await run(setup.upstream.emulator.releaseHeld)
      const answers = await Promise.all(pending)
      expect(answers.map((answer) => answer.status)).toEqual(Array(100).fill(200))
      expect(new Set(answers.map((answer) => answer.text)).size).toBe(1)
      const cancels = (await upstreamRequests(setup.upstream.emulator)).filter((entry) => entry.operation === "cancel")
      expect(cancels).toHaveLength(1)
    })
  })

  it("a cancel whose callers here have all gone still retries for the callers waiting on another replica", async () => {
    await withReplicas({ FILEBATCH_MAX_RETRIES: "2" }, async (setup) => {
      const { batchId, vectorStoreId } = await seed(setup.upstream.emulator)
      // The first cancel waits to be released, then fails with a retryable 500; the retry succeeds.
      await run(setup.upstream.emulator.addFaults([
        { batchId, operation: "cancel", times: 1, held: true, fault: { kind: "status", status: 500 } }
      ]))
      const path = `/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}/cancel`
      const [leader, follower] = setup.replicas
      const client = new AbortController()
      const gone = fetch(`${leader.url}${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${clientKeys.a}` },
        signal: client.signal
      }).catch(() => "aborted")
      await untilHeld(setup.upstream.emulator, 1)
      const waiting = call(follower.url, "POST", path)
      await eventually(
        "the follower waiting on the leader",
        async () => (await gauge(follower, "filebatch_proxy_waiting_on_other_replica")) === 1
      )
      client.abort()
      expect(await gone).toBe("aborted")
      await leader.waitFor(/"status":499,.*"outcome":"client_closed"/)
      await run(setup.upstream.emulator.releaseHeld)
      // The leader retried for the follower's caller, whom it cannot see.
      const answer = await waiting
      expect(answer.status).toBe(200)
      expect(JSON.parse(answer.text).id).toBe(batchId)
      const cancels = (await upstreamRequests(setup.upstream.emulator)).filter((entry) => entry.batchId === batchId)
      expect(cancels.map((entry) => entry.operation)).toEqual(["cancel", "cancel"])
    })
  })

  it("Redis lost: every request answered (the limit fails open), readiness and metrics say so; back: limits resume", async () => {
    await withReplicas({ FILEBATCH_PROXY_RATE_LIMIT: "4", FILEBATCH_PROXY_RATE_LIMIT_WINDOW: "1h" }, async (setup) => {
      const { batchId, vectorStoreId } = await seed(setup.upstream.emulator)
      const path = `/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}`
      const [a, b] = setup.replicas
      // Redis dies while requests are on their way; afterwards more come. Nothing hangs: each Redis
      // command gives up after 500 ms, and the limit admits.
      const inFlight = Promise.all(Array.from({ length: 40 }, (_, i) => call(setup.replicas[i % 2]!.url, "GET", path)))
      await setup.redis.kill()
      const during = [
        ...await inFlight,
        ...await Promise.all(Array.from({ length: 12 }, (_, i) => call(setup.replicas[i % 2]!.url, "GET", path)))
      ]
      // Every request answered: admitted by the limit while Redis held it (4), refused past it, admitted without it.
      expect(during.every((reply) => reply.status === 200 || reply.status === 429)).toBe(true)
      expect(during.slice(40).map((reply) => reply.status)).toEqual(Array(12).fill(200))
      for (const proxy of [a, b]) {
        expect(JSON.parse((await call(proxy.url, "GET", "/readyz")).text)).toEqual({
          status: "ready",
          redis: "down",
          audit_spool: { records: 0 }
        })
        expect(await gauge(proxy, "filebatch_proxy_redis_up")).toBe(0)
        expect(await gauge(proxy, "filebatch_proxy_redis_outages_total")).toBe(1)
        await eventually("the warning", () => proxy.output().includes(`"message":"redis unreachable"`))
        expect(proxy.output().match(/"message":"redis unreachable"/g)).toHaveLength(1)
      }
      // Identical cancels while Redis is down still work, coalesced per replica.
      const cancels = await Promise.all([a, b].map((proxy) => call(proxy.url, "POST", `${path}/cancel`)))
      expect(cancels.map((reply) => reply.status)).toEqual([200, 200])
      await setup.redis.restart()
      for (const proxy of [a, b]) {
        await eventually("redis up again", async () => (await gauge(proxy, "filebatch_proxy_redis_up")) === 1)
      }
      // The rate limiter's own connection may come back a moment after (a request meanwhile is
      // admitted, failing open): the limit is back once a 429 comes, and then it holds.
      const after: Array<number> = []
      while (!after.includes(429) && after.length < 40) {
        after.push((await call(setup.replicas[after.length % 2]!.url, "GET", path)).status)
      }
      expect(after).toContain(429)
      expect(after.filter((status) => status === 200).length).toBeGreaterThanOrEqual(4)
      for (let i = 0; i < 4; i++) expect((await call(setup.replicas[i % 2]!.url, "GET", path)).status).toBe(429)
      // One outage each, told in one warning and one line at its end; nothing else, and no stack on stderr.
      for (const proxy of [a, b]) {
        expect(await gauge(proxy, "filebatch_proxy_redis_outages_total")).toBe(1)
        await eventually("the line at its end", () => proxy.output().includes(`"message":"redis reachable again"`))
        expectOnlyJsonLines(proxy)
      }
    })
  })

  it("a Redis too slow to answer (CLIENT PAUSE) is an outage too: nothing waits past the timeout, and it ends by itself", async () => {
    await withReplicas({ FILEBATCH_PROXY_RATE_LIMIT: "4", FILEBATCH_PROXY_RATE_LIMIT_WINDOW: "1h" }, async (setup) => {
      const { batchId, vectorStoreId } = await seed(setup.upstream.emulator)
      const path = `/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}`
      const [a] = setup.replicas
      const admin = new Redis(setup.redis.port, "127.0.0.1")
      try {
        // Every client's commands wait for 6 s; the connections stay open.
        await admin.call("CLIENT", "PAUSE", "6000", "ALL")
        const slow = await call(a.url, "GET", path)
        expect(slow.status).toBe(200)
        expect(JSON.parse((await call(a.url, "GET", "/readyz")).text)).toEqual({
          status: "ready",
          redis: "down",
          audit_spool: { records: 0 }
        })
        // No connection dropped, yet the replica finds Redis again once it answers.
        await eventually("redis up again", async () => (await gauge(a, "filebatch_proxy_redis_up")) === 1)
        // Log lines reach the output a moment after the state they tell of: waited for, not raced.
        await eventually("the log line", () => a.output().includes(`"message":"redis reachable again"`))
        const after: Array<number> = []
        while (!after.includes(429) && after.length < 40) after.push((await call(a.url, "GET", path)).status)
        expect(after).toContain(429)
        expect(await gauge(a, "filebatch_proxy_redis_outages_total")).toBe(1)
        expectOnlyJsonLines(a)
      } finally {
        admin.disconnect()
      }
    })
  })

  it("fail closed: without Redis, rate-limited requests get 503 with x-should-retry and the replica is unready", async () => {
    await withReplicas(
      { FILEBATCH_PROXY_RATE_LIMIT: "4", FILEBATCH_PROXY_REDIS_FAILURE: "closed" },
      async ({ redis, replicas: [a], upstream }) => {
        const { batchId, vectorStoreId } = await seed(upstream.emulator)
        await redis.kill()
        const reply = await call(a.url, "GET", `/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}`)
        expect(reply.status).toBe(503)
        expect(reply.headers.get("x-should-retry")).toBe("true")
        expect(JSON.parse(reply.text).error.code).toBe("rate_limit_unavailable")
        const ready = await call(a.url, "GET", "/readyz")
        expect(ready.status).toBe(503)
        expect(JSON.parse(ready.text)).toEqual({ status: "unready", redis: "down", audit_spool: { records: 0 } })
      }
    )
  })
})

describe.skipIf(!haveRedis)("Redis at start", () => {
  it("unreachable: the proxy does not start, and says where it looked (never the password)", async () => {
    const upstream = await startEmulator()
    try {
      const redis = await startRedis()
      await redis.stop()
      const proxy = startProxy(upstream.emulator, {
        FILEBATCH_PROXY_REDIS_URL: `redis://:hunter2-secret@127.0.0.1:${redis.port}/0`
      })
      await expect(proxy).rejects.toThrow(
        new RegExp(`filebatch-proxy: cannot reach Redis at 127\\.0\\.0\\.1:${redis.port}/0 .*ECONNREFUSED`)
      )
      await expect(proxy).rejects.not.toThrow(/hunter2/)
    } finally {
      await upstream.close()
    }
  })
})
