// Proxy throughput and added latency against a bare node:http passthrough and the
// upstream direct, in one run: same emulator upstream, same load generators,
// interleaved rounds, medians. Throughput: autocannon at full load. Latency at a fixed
// rate: an open-loop sender timing each request to the microsecond (autocannon's
// histogram counts whole milliseconds, too coarse for a 1 ms goal). Prints a table and
// writes bench/results/proxy.json (at the repository root).
import autocannon from "autocannon"
import { Pool } from "undici"
import {
  clientKey,
  machine,
  median,
  seedBatch,
  start,
  startEmulator,
  startProxy,
  upstreamKey,
  writeResult
} from "../../../bench/common.mjs"

const rounds = Number(process.env.ROUNDS ?? 3)
const seconds = Number(process.env.SECONDS ?? 5)
const connections = Number(process.env.CONNECTIONS ?? 32)
const fixedRate = Number(process.env.RATE ?? 200)

const emulator = await startEmulator()
const ref = await seedBatch(emulator.url, 2)
const path = `/v1/vector_stores/${ref.vectorStoreId}/file_batches/${ref.batchId}`
const origin = emulator.url.replace(/\/v1$/, "")
const passthrough = await start(
  [new URL("./passthrough.mjs", import.meta.url).pathname],
  { UPSTREAM: origin, OPENAI_API_KEY: upstreamKey },
  /listening on (http:\/\/\S+)/
)
const proxy = await startProxy(emulator.url)

const subjects = [
  { name: "upstream direct", url: origin, key: upstreamKey },
  { name: "node:http passthrough", url: passthrough.url, key: clientKey },
  { name: "filebatch proxy", url: proxy.url, key: clientKey }
]

const load = (subject, options) =>
  new Promise((resolve, reject) => {
    autocannon({
      url: `${subject.url}${path}`,
      headers: { authorization: `Bearer ${subject.key}` },
      duration: seconds,
      ...options
    }, (error, result) => (error ? reject(error) : resolve(result)))
  })

/** `rate` requests per second for `seconds`, each sent on time whatever the others do. */
const fixedRateLatencies = async (subject, rate) => {
  const pool = new Pool(subject.url, { connections: 8 })
  const headers = { authorization: `Bearer ${subject.key}` }
  const latencies = []
  const total = rate * seconds
  const started = performance.now()
  let failures = 0
  await Promise.all(Array.from({ length: total }, async (_, index) => {
    const due = started + (index * 1000) / rate
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())))
    const sent = performance.now()
    try {
      const response = await pool.request({ path, method: "GET", headers })
      await response.body.text()
      if (response.statusCode !== 200) failures++
      latencies.push(performance.now() - sent)
    } catch {
      failures++
    }
  }))
  await pool.close()
  latencies.sort((a, b) => a - b)
  const at = (q) => Number(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))].toFixed(2))
  return { p50: at(0.5), p99: at(0.99), failures }
}

const results = Object.fromEntries(
  subjects.map((s) => [s.name, { rps: [], p50: [], p99: [], fixedP50: [], fixedP99: [], errors: 0 }])
)
for (let round = 0; round < rounds; round++) {
  for (const subject of subjects) {
    const max = await load(subject, { connections })
    const fixed = await fixedRateLatencies(subject, fixedRate)
    const r = results[subject.name]
    r.rps.push(max.requests.average)
    r.p50.push(max.latency.p50)
    r.p99.push(max.latency.p99)
    r.fixedP50.push(fixed.p50)
    r.fixedP99.push(fixed.p99)
    r.errors += max.errors + max.non2xx + fixed.failures
  }
}
for (const process of [proxy, passthrough, emulator]) await process.stop()

const rows = subjects.map((s) => {
  const r = results[s.name]
  return {
    name: s.name,
    requestsPerSecond: Math.round(median(r.rps)),
    p50Ms: median(r.p50),
    p99Ms: median(r.p99),
    fixedRateP50Ms: Number(median(r.fixedP50).toFixed(2)),
    fixedRateP99Ms: Number(median(r.fixedP99).toFixed(2)),
    errors: r.errors
  }
})
const [direct, bare, ours] = rows
const summary = {
  throughputVsPassthrough: Number((ours.requestsPerSecond / bare.requestsPerSecond).toFixed(2)),
  addedP50Ms: Number((ours.fixedRateP50Ms - direct.fixedRateP50Ms).toFixed(2)),
  addedP99Ms: Number((ours.fixedRateP99Ms - direct.fixedRateP99Ms).toFixed(2))
}
console.log(
  `proxy benchmark: GET batch, ${rounds} rounds × ${seconds}s, ${connections} connections at full load, ${fixedRate} req/s fixed; ${machine}`
)
console.log(
  "subject".padEnd(24) + "req/s".padStart(8) + "p50".padStart(6) + "p99".padStart(6) + "  @fixed p50".padStart(12) +
    " p99".padStart(7) + " errors".padStart(8)
)
for (const row of rows) {
  console.log(
    row.name.padEnd(24) + String(row.requestsPerSecond).padStart(8) + String(row.p50Ms).padStart(6) +
      String(row.p99Ms).padStart(6) +
      String(row.fixedRateP50Ms).padStart(12) + String(row.fixedRateP99Ms).padStart(7) + String(row.errors).padStart(8)
  )
}
console.log(`proxy / passthrough throughput: ${summary.throughputVsPassthrough} (goal ≥ 0.5)`)
console.log(
  `added latency at ${fixedRate} req/s: p50 ${summary.addedP50Ms} ms (goal ≤ 1), p99 ${summary.addedP99Ms} ms (goal ≤ 5)`
)
writeResult("proxy", { rounds, seconds, connections, fixedRate, rows, summary })
process.exit(0)
