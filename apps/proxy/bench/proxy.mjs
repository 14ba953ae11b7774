// Proxy cost, throughput and added latency against a bare node:http passthrough, nginx
// (when installed) and the upstream direct, in one run: the same canned node:http
// upstream (never the limit: "upstream direct" is its capacity), the same load
// generators, interleaved rounds, medians. Throughput: autocannon at full load; beside
// it, each subject's own CPU µs per request (from /proc: stable on a shared machine).
// Latency at a fixed rate: an open-loop sender timing each request to the microsecond.
// Prints a table and writes bench/results/proxy.json (at the repository root).
import autocannon from "autocannon"
import { readFileSync } from "node:fs"
import { createServer } from "node:http"
import { Pool } from "undici"
import {
  cannedRef,
  clientKey,
  machine,
  median,
  start,
  startProxy,
  startUpstream,
  upstreamKey,
  withCpu,
  writeResult
} from "../../../bench/common.mjs"
import { startNginx } from "./nginx.mjs"

const rounds = Number(process.env.ROUNDS ?? 3)
const seconds = Number(process.env.SECONDS ?? 5)
const connections = Number(process.env.CONNECTIONS ?? 32)
const fixedRate = Number(process.env.RATE ?? 200)

const upstream = await startUpstream()
const ref = cannedRef
const path = `/v1/vector_stores/${ref.vectorStoreId}/file_batches/${ref.batchId}`
const origin = upstream.url.replace(/\/v1$/, "")
const passthrough = await start(
  [new URL("./passthrough.mjs", import.meta.url).pathname],
  { UPSTREAM: origin, OPENAI_API_KEY: upstreamKey },
  /listening on (http:\/\/\S+)/
)
const proxy = await startProxy(upstream.url)
// The same proxy exporting every span (sampled always) to an OTLP sink on loopback that only
// counts what it is sent: what tracing costs when it is on.
let exportedBytes = 0
const otlpSink = createServer((request, response) => {
  request.on("data", (chunk) => (exportedBytes += chunk.length))
  request.on("end", () => response.end())
})
await new Promise((resolve) => otlpSink.listen(0, "127.0.0.1", resolve))
const tracedProxy = await startProxy(upstream.url, {
  OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlpSink.address().port}`
})
// Tracing as production runs it: one trace in ten sampled (OpenTelemetry's standard variables).
const sampledProxy = await startProxy(upstream.url, {
  OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlpSink.address().port}`,
  OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
  OTEL_TRACES_SAMPLER_ARG: "0.1"
})
const nginx = await startNginx(origin, upstreamKey)
const rssMiB = (pid) => Number(readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/)[1]) / 1024
const proxyIdleRssMiB = rssMiB(proxy.child.pid)
// BASELINE_PROXY=<an older dist/proxy.mjs>: that build too, in the same run, for a before/after.
const baseline = process.env.BASELINE_PROXY === undefined
  ? undefined
  : await startProxy(upstream.url, {}, [process.env.BASELINE_PROXY])
const baselineIdleRss = baseline === undefined ? undefined : rssMiB(baseline.child.pid)
// The image sets glibc's trim threshold (see the Dockerfile): the idle RSS as it runs there.
const dockerfile = readFileSync(new URL("../Dockerfile", import.meta.url), "utf8")
const imageEnv = Object.fromEntries(
  Array.from(dockerfile.matchAll(/\b(MALLOC_[A-Z_]+)=(\S+)/g), ([, name, value]) => [name, value])
)
const inImage = await startProxy(upstream.url, imageEnv)
const imageIdleRssMiB = rssMiB(inImage.child.pid)
await inImage.stop()

const subjects = [
  { name: "upstream direct", url: origin, key: upstreamKey, pids: () => [upstream.child.pid] },
  { name: "node:http passthrough", url: passthrough.url, key: clientKey, pids: () => [passthrough.child.pid] },
  ...(nginx === undefined ? [] : [{ name: "nginx (reference)", url: nginx.url, key: clientKey, pids: nginx.pids }]),
  { name: "filebatch proxy", url: proxy.url, key: clientKey, pids: () => [proxy.child.pid] },
  { name: "proxy, tracing on", url: tracedProxy.url, key: clientKey, pids: () => [tracedProxy.child.pid] },
  { name: "proxy, 10% sampled", url: sampledProxy.url, key: clientKey, pids: () => [sampledProxy.child.pid] },
  ...(baseline === undefined
    ? []
    : [{ name: "proxy (baseline build)", url: baseline.url, key: clientKey, pids: () => [baseline.child.pid] }])
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
  subjects.map((s) => [s.name, { rps: [], cpu: [], p50: [], p99: [], fixedP50: [], fixedP99: [], errors: 0 }])
)
for (let round = 0; round < rounds; round++) {
  for (const subject of subjects) {
    const { micros, result: max } = await withCpu(subject.pids(), () => load(subject, { connections }))
    const fixed = await fixedRateLatencies(subject, fixedRate)
    const r = results[subject.name]
    r.rps.push(max.requests.average)
    r.cpu.push(micros / max.requests.total)
    r.p50.push(max.latency.p50)
    r.p99.push(max.latency.p99)
    r.fixedP50.push(fixed.p50)
    r.fixedP99.push(fixed.p99)
    r.errors += max.errors + max.non2xx + fixed.failures
  }
}
const proxyLoadedRssMiB = rssMiB(proxy.child.pid)
for (const process of [proxy, tracedProxy, sampledProxy, baseline, passthrough, nginx, upstream]) await process?.stop()
otlpSink.close()

const rows = subjects.map((s) => {
  const r = results[s.name]
  return {
    name: s.name,
    requestsPerSecond: Math.round(median(r.rps)),
    requestsPerSecondRange: [Math.round(Math.min(...r.rps)), Math.round(Math.max(...r.rps))],
    cpuMicrosPerRequest: Math.round(median(r.cpu)),
    p50Ms: median(r.p50),
    p99Ms: median(r.p99),
    fixedRateP50Ms: Number(median(r.fixedP50).toFixed(2)),
    fixedRateP99Ms: Number(median(r.fixedP99).toFixed(2)),
    errors: r.errors
  }
})
const row = (name) => rows.find((r) => r.name === name)
const [direct, bare, ours, reference, traced, sampled] = [
  row("upstream direct"),
  row("node:http passthrough"),
  row("filebatch proxy"),
  row("nginx (reference)"),
  row("proxy, tracing on"),
  row("proxy, 10% sampled")
]
const fastestSubject = Math.max(bare.requestsPerSecond, ours.requestsPerSecond)
const summary = {
  upstreamHeadroom: Number((direct.requestsPerSecond / fastestSubject).toFixed(2)),
  throughputVsPassthrough: Number((ours.requestsPerSecond / bare.requestsPerSecond).toFixed(2)),
  cpuVsPassthrough: Number((ours.cpuMicrosPerRequest / bare.cpuMicrosPerRequest).toFixed(2)),
  ...(reference === undefined ? {} : {
    throughputVsNginx: Number((ours.requestsPerSecond / reference.requestsPerSecond).toFixed(2)),
    cpuVsNginx: Number((ours.cpuMicrosPerRequest / reference.cpuMicrosPerRequest).toFixed(2))
  }),
  idleRssMiB: Number(proxyIdleRssMiB.toFixed(1)),
  imageIdleRssMiB: Number(imageIdleRssMiB.toFixed(1)),
  loadedRssMiB: Number(proxyLoadedRssMiB.toFixed(1)),
  addedP50Ms: Number((ours.fixedRateP50Ms - direct.fixedRateP50Ms).toFixed(2)),
  addedP99Ms: Number((ours.fixedRateP99Ms - direct.fixedRateP99Ms).toFixed(2)),
  tracingCpuVsOff: Number((traced.cpuMicrosPerRequest / ours.cpuMicrosPerRequest).toFixed(2)),
  tracingThroughputVsOff: Number((traced.requestsPerSecond / ours.requestsPerSecond).toFixed(2)),
  sampledCpuVsOff: Number((sampled.cpuMicrosPerRequest / ours.cpuMicrosPerRequest).toFixed(2)),
  exportedMiB: Number((exportedBytes / 1024 / 1024).toFixed(1))
}
console.log(
  `proxy benchmark: GET batch, ${rounds} rounds × ${seconds}s, ${connections} connections at full load, ${fixedRate} req/s fixed, canned upstream; ${machine}`
)
console.log(
  "subject".padEnd(24) + "req/s".padStart(8) + "(range)".padStart(14) + "CPU µs/req".padStart(11) + "p50".padStart(6) +
    "p99".padStart(6) + "  @fixed p50".padStart(12) + " p99".padStart(7) + " errors".padStart(8)
)
for (const r of rows) {
  console.log(
    r.name.padEnd(24) + String(r.requestsPerSecond).padStart(8) +
      `${r.requestsPerSecondRange[0]}–${r.requestsPerSecondRange[1]}`.padStart(14) +
      String(r.cpuMicrosPerRequest).padStart(11) + String(r.p50Ms).padStart(6) + String(r.p99Ms).padStart(6) +
      String(r.fixedRateP50Ms).padStart(12) + String(r.fixedRateP99Ms).padStart(7) + String(r.errors).padStart(8)
  )
}
console.log(`upstream alone / fastest subject: ${summary.upstreamHeadroom}× (goal ≥ 3×)`)
console.log(
  `proxy / passthrough: ${summary.throughputVsPassthrough}× throughput (goal ≥ 0.67×), ${summary.cpuVsPassthrough}× CPU per request (goal ≤ 1.5×)`
)
if (baseline !== undefined) {
  const before = row("proxy (baseline build)")
  console.log(
    `this build / baseline build: ${
      (ours.cpuMicrosPerRequest / before.cpuMicrosPerRequest).toFixed(3)
    }× CPU per request, ${
      (ours.requestsPerSecond / before.requestsPerSecond).toFixed(3)
    }× throughput; idle RSS ${summary.idleRssMiB} vs ${baselineIdleRss?.toFixed(1)} MiB`
  )
}
if (reference !== undefined) {
  console.log(`proxy / nginx: ${summary.throughputVsNginx}× throughput, ${summary.cpuVsNginx}× CPU per request`)
} else {
  console.log("nginx: not installed, skipped (apt-get install nginx to compare)")
}
console.log(
  `tracing on (every span exported over OTLP): ${summary.tracingCpuVsOff}× CPU per request, ${summary.tracingThroughputVsOff}× throughput (${summary.exportedMiB} MiB exported)`
)
console.log(`tracing on, 10% of traces sampled: ${summary.sampledCpuVsOff}× CPU per request (goal ≤ 1.3×)`)
console.log(
  `added latency at ${fixedRate} req/s: p50 ${summary.addedP50Ms} ms (goal ≤ 0.5), p99 ${summary.addedP99Ms} ms (goal ≤ 2)`
)
console.log(
  `proxy RSS: ${summary.idleRssMiB} MiB idle (goal ≤ 60), ${summary.imageIdleRssMiB} MiB idle with the image's ${
    Object.keys(imageEnv).join(", ")
  }, ${summary.loadedRssMiB} MiB after the load`
)
writeResult("proxy", { rounds, seconds, connections, fixedRate, rows, summary })
process.exit(0)
