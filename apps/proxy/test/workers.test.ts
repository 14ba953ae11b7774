/** `FILEBATCH_PROXY_WORKERS`: several proxy processes on one port, sharing a real redis-server. */
import { describe, expect, it } from "@effect/vitest"
import { haveRedis, runNode, startRedis } from "@filebatch/testkit"
import { bundle, call, eventually, seed, startEmulator, startProxy } from "./harness.js"

/** Complete lines only: the last may still be arriving. */
const lines = (output: string) => output.split("\n").slice(0, -1)

const listeningLines = (output: string) =>
  lines(output).filter((line) => line.includes("\"message\":\"listening\"")).map((line) => JSON.parse(line))

describe("workers", () => {
  it("more than one without Redis is refused, saying why", async () => {
    const result = await runNode(bundle, [], {
      OPENAI_API_KEY: "sk-x",
      FILEBATCH_PROXY_KEYS: "[]",
      FILEBATCH_PROXY_WORKERS: "2"
    })
    expect(result.code).toBe(1)
    expect(result.stderr).toMatch(
      /^filebatch-proxy: invalid configuration: FILEBATCH_PROXY_WORKERS=2 needs FILEBATCH_PROXY_REDIS_URL: /
    )
    const bad = await runNode(bundle, [], {
      OPENAI_API_KEY: "sk-x",
      FILEBATCH_PROXY_KEYS: "[]",
      FILEBATCH_PROXY_WORKERS: "0"
    })
    expect(bad.stderr).toMatch(/FILEBATCH_PROXY_WORKERS must be a whole number ≥ 1 or auto \(got "0"\)/)
  })

  it.skipIf(!haveRedis)(
    "workers that cannot start (Redis unreachable) stop the group with their reason, exit 1",
    async () => {
      const redis = await startRedis()
      await redis.stop()
      const result = await runNode(bundle, [], {
        OPENAI_API_KEY: "sk-x",
        FILEBATCH_PROXY_KEYS: JSON.stringify([{ name: "a", sha256: "0".repeat(64), vectorStores: "*" }]),
        PORT: "0",
        FILEBATCH_PROXY_WORKERS: "2",
        FILEBATCH_PROXY_REDIS_URL: redis.url
      })
      expect(result.code).toBe(1)
      expect(result.stderr).toMatch(/filebatch-proxy: cannot reach Redis at 127\.0\.0\.1:\d+\/0 .*ECONNREFUSED/)
      expect(result.stdout).toMatch(/"message":"a worker failed to start; stopping the others"/)
    }
  )

  it.skipIf(!haveRedis)(
    "two serve one port: both answer, one scrape shows the group, a dead worker is replaced, SIGTERM drains both",
    async () => {
      const upstream = await startEmulator()
      const redis = await startRedis()
      try {
        const proxy = await startProxy(upstream.emulator, {
          FILEBATCH_PROXY_WORKERS: "2",
          FILEBATCH_PROXY_REDIS_URL: redis.url
        })
        try {
          await eventually("two workers listening", () => listeningLines(proxy.output()).length === 2)
          const { batchId, vectorStoreId } = await seed(upstream.emulator)
          const path = `/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}`
          // At once, so on several connections; the primary hands connections round-robin: both workers answer.
          const replies = await Promise.all(Array.from({ length: 10 }, () => call(proxy.url, "GET", path)))
          expect(replies.map((reply) => reply.status)).toEqual(Array(10).fill(200))
          const answeredBy = () =>
            new Set(
              lines(proxy.output()).filter((line) => line.includes(`"path":"${path}"`)).map((line) =>
                JSON.parse(line).worker
              )
            )
          await eventually("access lines of both workers", () => answeredBy().size === 2)
          // Whichever worker gets the scrape, it shows the whole group's counts.
          for (let i = 0; i < 2; i++) {
            const metrics = (await call(proxy.url, "GET", "/metrics")).text
            expect(metrics).toMatch(/^filebatch_proxy_requests_total\{route="retrieve",status="200"\} 10$/m)
            expect(metrics).toMatch(/^filebatch_proxy_redis_up 1$/m)
          }
          // A worker that dies while serving is replaced.
          const [first] = listeningLines(proxy.output())
          process.kill(first.pid, "SIGKILL")
          await eventually("a third worker listening", () => listeningLines(proxy.output()).length === 3)
          await eventually(
            "the primary's line",
            () => proxy.output().includes(`"message":"worker exited; starting another"`)
          )
          expect((await call(proxy.url, "GET", path)).status).toBe(200)
        } finally {
          expect(await proxy.stop("SIGTERM")).toBe(0)
        }
        expect(proxy.output().match(/"message":"stopped"/g)).toHaveLength(2)
        expect(proxy.output()).toMatch(/"message":"workers stopped"/)
      } finally {
        await redis.stop()
        await upstream.close()
      }
    }
  )
})
