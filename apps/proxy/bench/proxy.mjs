// Proxy throughput and added latency against a bare node:http passthrough and the
// upstream direct, in one run: same emulator upstream, same load generator
// (autocannon), interleaved rounds, medians. Prints a table and writes
// bench/results/proxy.json.
import autocannon from "autocannon"
import { spawn } from "node:child_process"
import { createHash } from "node:crypto"
import { mkdirSync, writeFileSync } from "node:fs"
import { cpus } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const here = (path) => fileURLToPath(new URL(path, import.meta.url))
const rounds = Number(process.env.ROUNDS ?? 3)
const seconds = Number(process.env.SECONDS ?? 5)
const connections = Number(process.env.CONNECTIONS ?? 32)
const fixedRate = Number(process.env.RATE ?? 200)
const upstreamKey = "sk-bench-upstream"
const clientKey = "sk-bench-client"

const start = (args, env, pattern) =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"]
    })
    let output = ""
    const onData = (chunk) => {
      output += chunk
      const match = output.match(pattern)
      if (match) {
        child.stdout.off("data", onData)
        child.stdout.resume()
        resolve({ child, url: match[1] })
      }
    }
    child.stdout.on("data", onData)
    child.once("exit", (code) => reject(new Error(`${args[0]} exited (${code}): ${output}`)))
  })

const emulator = await start(
  [
    here("../../../packages/emulator/dist/bin.js"),
    "--port",
    "0",
    "--key",
    upstreamKey,
    "--file-ms",
    "100000",
    "--poll-after-ms",
    "0"
  ],
  {},
  /listening on (http:\/\/\S+)\/v1/
)
const api = async (method, path, body) =>
  (await fetch(`${emulator.url}/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${upstreamKey}`, "content-type": "application/json" },
    body: JSON.stringify(body)
  })).json()
const store = await api("POST", "/vector_stores", {})
const batch = await api("POST", `/vector_stores/${store.id}/file_batches`, { file_ids: ["file-1", "file-2"] })
const path = `/v1/vector_stores/${store.id}/file_batches/${batch.id}`

const passthrough = await start(
  [here("./passthrough.mjs")],
  { UPSTREAM: emulator.url, OPENAI_API_KEY: upstreamKey },
  /listening on (http:\/\/\S+)/
)
const proxy = await start([here("../dist/proxy.mjs")], {
  PORT: "0",
  OPENAI_API_KEY: upstreamKey,
  OPENAI_BASE_URL: `${emulator.url}/v1`,
  FILEBATCH_PROXY_KEYS: JSON.stringify([
    { name: "bench", sha256: createHash("sha256").update(clientKey).digest("hex"), vectorStores: "*" }
  ]),
  FILEBATCH_PROXY_MAX_QUEUE: "10000"
}, /"message":"listening".*?"url":"(http:\/\/[^"]+)"/)

const subjects = [
  { name: "upstream direct", url: emulator.url, key: upstreamKey },
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

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

const results = Object.fromEntries(
  subjects.map((s) => [s.name, { rps: [], p50: [], p99: [], fixedP50: [], fixedP99: [], errors: 0 }])
)
for (let round = 0; round < rounds; round++) {
  for (const subject of subjects) {
    const max = await load(subject, { connections })
    const fixed = await load(subject, { connections: 8, overallRate: fixedRate })
    const r = results[subject.name]
    r.rps.push(max.requests.average)
    r.p50.push(max.latency.p50)
    r.p99.push(max.latency.p99)
    r.fixedP50.push(fixed.latency.p50)
    r.fixedP99.push(fixed.latency.p99)
    r.errors += max.errors + max.non2xx + fixed.errors + fixed.non2xx
  }
}
for (const { child } of [proxy, passthrough, emulator]) child.kill("SIGTERM")

const rows = subjects.map((s) => {
  const r = results[s.name]
  return {
    name: s.name,
    requestsPerSecond: Math.round(median(r.rps)),
    p50Ms: median(r.p50),
    p99Ms: median(r.p99),
    fixedRateP50Ms: median(r.fixedP50),
    fixedRateP99Ms: median(r.fixedP99),
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
  `proxy benchmark: GET batch, ${rounds} rounds × ${seconds}s, ${connections} connections at full load, ${fixedRate} req/s fixed; node ${process.version}, ${
    cpus()[0]?.model
  } x${cpus().length}`
)
console.log(
  "subject".padEnd(24) + "req/s".padStart(8) + "p50".padStart(6) + "p99".padStart(6) + "  @fixed p50".padStart(12) +
    " p99".padStart(5) + " errors".padStart(8)
)
for (const row of rows) {
  console.log(
    row.name.padEnd(24) + String(row.requestsPerSecond).padStart(8) + String(row.p50Ms).padStart(6) +
      String(row.p99Ms).padStart(6) +
      String(row.fixedRateP50Ms).padStart(12) + String(row.fixedRateP99Ms).padStart(5) + String(row.errors).padStart(8)
  )
}
console.log(`proxy / passthrough throughput: ${summary.throughputVsPassthrough} (goal ≥ 0.5)`)
console.log(
  `added latency at ${fixedRate} req/s: p50 ${summary.addedP50Ms} ms (goal ≤ 1), p99 ${summary.addedP99Ms} ms (goal ≤ 5)`
)
mkdirSync(here("./results"), { recursive: true })
writeFileSync(
  join(here("./results"), "proxy.json"),
  JSON.stringify({ date: new Date().toISOString(), rounds, seconds, connections, fixedRate, rows, summary }, null, 2)
)
