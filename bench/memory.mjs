// Memory: the proxy's RSS idle, then after each of two equal halves of a sustained load.
import autocannon from "autocannon"
import { readFileSync } from "node:fs"
import { clientKey, machine, seedBatch, startEmulator, startProxy, writeResult } from "./common.mjs"

const seconds = Number(process.env.HALF_SECONDS ?? 15)
const rssKiB = (pid) => Number(readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/)[1])

const emulator = await startEmulator()
const proxy = await startProxy(emulator.url)
const refs = await Promise.all(Array.from({ length: 16 }, () => seedBatch(emulator.url)))
await new Promise((resolve) => setTimeout(resolve, 1000))
const idle = rssKiB(proxy.child.pid)

const half = () =>
  new Promise((resolve, reject) =>
    autocannon({
      url: proxy.url,
      connections: 32,
      duration: seconds,
      headers: { authorization: `Bearer ${clientKey}` },
      requests: refs.flatMap(({ batchId, vectorStoreId }) => [
        { method: "GET", path: `/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}` },
        { method: "POST", path: `/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}/cancel` }
      ])
    }, (error, result) => (error ? reject(error) : resolve(result)))
  )
const first = await half()
const afterFirst = rssKiB(proxy.child.pid)
const second = await half()
const afterSecond = rssKiB(proxy.child.pid)
await proxy.stop()
await emulator.stop()

const growth = (afterSecond - afterFirst) / afterFirst
console.log(`memory: proxy RSS, two halves of ${seconds}s at 32 connections; ${machine}`)
console.log(
  `  idle ${(idle / 1024).toFixed(1)} MiB; after first half ${
    (afterFirst / 1024).toFixed(1)
  } MiB (${first.requests.total} requests); after second ${
    (afterSecond / 1024).toFixed(1)
  } MiB (${second.requests.total} requests)`
)
console.log(`  growth between halves: ${(growth * 100).toFixed(1)}% (goal ≤ 5%)`)
writeResult("memory", {
  idleMiB: idle / 1024,
  afterFirstMiB: afterFirst / 1024,
  afterSecondMiB: afterSecond / 1024,
  requests: [first.requests.total, second.requests.total],
  errors: first.errors + second.errors + first.non2xx + second.non2xx,
  growth,
  goal: 0.05
})
process.exit(0)
