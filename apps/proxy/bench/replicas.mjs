// Running many (issue 13), against a real redis-server:
// 1. the herd across replicas: 1000 concurrent identical cancels spread over two proxies
//    sharing Redis, a 300 ms upstream cancel (the emulator); how many reach the upstream;
// 2. one worker against two (FILEBATCH_PROXY_WORKERS), GET of one batch at 32 connections
//    against the canned node:http upstream: req/s and CPU µs per request of the whole
//    process group (primary and workers), interleaved rounds, medians.
// Skipped (with a line saying so) when redis-server is not installed. Writes bench/results/replicas.json.
import autocannon from "autocannon"
import {
  cannedRef,
  childrenOf,
  clientKey,
  machine,
  median,
  runHerd,
  startEmulator,
  startProxy,
  startRedis,
  startUpstream,
  withCpu,
  writeResult
} from "../../../bench/common.mjs"

const redis = await startRedis()
if (redis === undefined) {
  console.log("replicas: redis-server is not installed (apt-get install redis-server); skipped")
  writeResult("replicas", { skipped: true })
  process.exit(0)
}
const callers = Number(process.env.CALLERS ?? 1000)
const rounds = Number(process.env.ROUNDS ?? 3)
const seconds = Number(process.env.SECONDS ?? 5)

// 1. The herd across two replicas.
const emulator = await startEmulator()
const replicas = [
  await startProxy(emulator.url, { FILEBATCH_PROXY_REDIS_URL: redis.url }),
  await startProxy(emulator.url, { FILEBATCH_PROXY_REDIS_URL: redis.url })
]
const { statuses, upstreamCalls } = await runHerd(emulator.url, replicas.map((proxy) => proxy.url), callers)
await Promise.all(replicas.map((proxy) => proxy.stop()))
await emulator.stop()
const herd = { callers, ok: statuses.filter((s) => s === 200).length, upstreamCalls, ratio: upstreamCalls / callers }
console.log(`replicas: ${machine}`)
console.log(
  `  herd over two replicas sharing Redis: ${herd.ok}/${callers} answered 200; upstream cancels: ${upstreamCalls} ` +
    `(${(herd.ratio * 100).toFixed(2)}%, goal ≤ 1%)`
)

// 2. One worker against two, on the same port.
const upstream = await startUpstream()
const readPath = `/v1/vector_stores/${cannedRef.vectorStoreId}/file_batches/${cannedRef.batchId}`
const groups = [
  { name: "1 worker", workers: "1" },
  { name: "2 workers", workers: "2" }
]
for (const group of groups) {
  group.proxy = await startProxy(upstream.url, {
    FILEBATCH_PROXY_WORKERS: group.workers,
    FILEBATCH_PROXY_REDIS_URL: redis.url,
    FILEBATCH_PROXY_DRAIN_DELAY: "0s"
  })
  group.samples = []
}
// Give the second worker time to listen: the first "listening" line starts the measurement otherwise.
await new Promise((resolve) => setTimeout(resolve, 1000))
const load = (url) =>
  new Promise((resolve, reject) =>
    autocannon({
      url: `${url}${readPath}`,
      headers: { authorization: `Bearer ${clientKey}` },
      connections: 32,
      duration: seconds
    }, (error, result) => (error ? reject(error) : resolve(result)))
  )
for (let round = 0; round < rounds; round++) {
  for (const group of groups) {
    const pids = [group.proxy.child.pid, ...(group.workers === "1" ? [] : childrenOf(group.proxy.child.pid))]
    const { micros, result } = await withCpu(pids, () => load(group.proxy.url))
    group.samples.push({ rps: result.requests.average, cpu: micros / result.requests.total })
  }
}
await Promise.all(groups.map((group) => group.proxy.stop()))
await upstream.stop()
await redis.stop()
const rows = groups.map((group) => ({
  name: group.name,
  rps: Math.round(median(group.samples.map((s) => s.rps))),
  rpsRange: [
    Math.round(Math.min(...group.samples.map((s) => s.rps))),
    Math.round(Math.max(...group.samples.map((s) => s.rps)))
  ],
  cpuMicrosPerRequest: Math.round(median(group.samples.map((s) => s.cpu)))
}))
console.log(`  workers, GET of one batch at 32 connections, ${rounds} rounds of ${seconds} s (canned upstream):`)
for (const row of rows) {
  console.log(
    `    ${row.name.padEnd(10)} ${String(row.rps).padStart(6)} req/s (${row.rpsRange[0]}–${row.rpsRange[1]})  ` +
      `${row.cpuMicrosPerRequest} CPU µs/request (all processes)`
  )
}
const workersGain = Number((rows[1].rps / rows[0].rps).toFixed(2))
console.log(
  `  2 workers / 1: ${workersGain}× req/s; the load generator and the upstream share this machine's cores, so a ` +
    "second worker can only take what they leave"
)
writeResult("replicas", { herd, workers: rows, workersGain })
process.exit(0)
