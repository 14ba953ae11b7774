// Client cost and throughput: N cancels at concurrency 64 against the canned node:http
// upstream (never the limit: its own capacity is measured in the same run), by
// `cancelFileBatch` (retry policy and schema validation on) over @filebatch/undici's lean
// client and over the platform's undici client, the official `openai` package, and raw
// undici + JSON.parse. For each: cancels/s and the client's CPU µs per call
// (process.cpuUsage), medians of interleaved rounds.
import { HttpClient } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import autocannon from "autocannon"
import { Effect, Layer } from "effect"
import OpenAI from "openai"
import {
  cannedCancelUrl,
  cannedRef,
  coreCancel,
  cpuMicrosOf,
  machine,
  median,
  rawUndiciCancel,
  startUpstream,
  upstreamKey,
  writeResult
} from "./common.mjs"

const total = Number(process.env.CANCELS ?? 5000)
const concurrency = 64
const rounds = Number(process.env.ROUNDS ?? 3)

const upstream = await startUpstream()
const ref = cannedRef

// The platform's undici client, with per-request tracing spans off.
const httpLayer = Layer.effect(
  HttpClient.HttpClient,
  Effect.map(
    HttpClient.HttpClient,
    (client) => client.pipe(HttpClient.withTracerPropagation(false), HttpClient.withTracerDisabledWhen(() => true))
  )
).pipe(Layer.provide(NodeHttpClient.layerUndici))
const openai = new OpenAI({ apiKey: upstreamKey, baseURL: upstream.url })

const subjects = {
  "filebatch (@filebatch/undici)": await coreCancel(upstream.url),
  "filebatch (platform undici)": await coreCancel(upstream.url, httpLayer),
  "openai package": () => openai.vectorStores.fileBatches.cancel(ref.batchId, { vector_store_id: ref.vectorStoreId }),
  "raw undici": rawUndiciCancel(upstream.url, concurrency)
}

const measure = async (call) => {
  let next = 0
  const cpuBefore = process.cpuUsage()
  const upstreamBefore = cpuMicrosOf(upstream.child.pid)
  const started = performance.now()
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next++ < total) await call()
  }))
  const seconds = (performance.now() - started) / 1000
  const cpu = process.cpuUsage(cpuBefore)
  return {
    perSecond: total / seconds,
    cpuMicrosPerCall: (cpu.user + cpu.system) / total,
    upstreamCpuMicrosPerCall: (cpuMicrosOf(upstream.child.pid) - upstreamBefore) / total
  }
}

/**
 * The upstream alone, loaded by autocannon (one thread: on two cores, worker threads
 * measured slower): what it can serve at most here, the load generator being the limit.
 */
const upstreamAlone = () =>
  new Promise((resolve, reject) => {
    const before = cpuMicrosOf(upstream.child.pid)
    autocannon({
      url: cannedCancelUrl(upstream.url),
      method: "POST",
      headers: { authorization: `Bearer ${upstreamKey}` },
      connections: concurrency,
      duration: 5
    }, (error, result) =>
      error ? reject(error) : resolve({
        perSecond: result.requests.average,
        cpuMicrosPerCall: (cpuMicrosOf(upstream.child.pid) - before) / result.requests.total
      }))
  })

const samples = Object.fromEntries(Object.keys(subjects).map((name) => [name, []]))
const alone = []
for (const call of Object.values(subjects)) await measure(call) // warm-up
for (let round = 0; round < rounds; round++) {
  for (const [name, call] of Object.entries(subjects)) samples[name].push(await measure(call))
  alone.push(await upstreamAlone())
}
await upstream.stop()

const summarise = (values) => ({
  perSecond: Math.round(median(values.map((v) => v.perSecond))),
  perSecondRange: [
    Math.round(Math.min(...values.map((v) => v.perSecond))),
    Math.round(Math.max(...values.map((v) => v.perSecond)))
  ],
  cpuMicrosPerCall: Math.round(median(values.map((v) => v.cpuMicrosPerCall)))
})
const rows = Object.entries(samples).map(([name, values]) => ({
  name,
  ...summarise(values),
  upstreamCpuMicrosPerCall: Math.round(median(values.map((v) => v.upstreamCpuMicrosPerCall)))
}))
const upstreamRow = { name: "upstream alone (autocannon)", ...summarise(alone) }
const [lean, platform, openaiRow, raw] = rows
const fastest = Math.max(...rows.map((row) => row.perSecond))
const summary = {
  throughputVsOpenai: Number((lean.perSecond / openaiRow.perSecond).toFixed(2)),
  throughputVsRawUndici: Number((lean.perSecond / raw.perSecond).toFixed(2)),
  cpuVsRawUndici: Number((lean.cpuMicrosPerCall / raw.cpuMicrosPerCall).toFixed(2)),
  cpuVsOpenai: Number((lean.cpuMicrosPerCall / openaiRow.cpuMicrosPerCall).toFixed(2)),
  platformCpuVsRawUndici: Number((platform.cpuMicrosPerCall / raw.cpuMicrosPerCall).toFixed(2)),
  upstreamHeadroom: Number((upstreamRow.perSecond / fastest).toFixed(2)),
  // How busy the upstream's core was while the fastest subject ran flat out.
  upstreamBusyUnderFastest: Number(
    Math.max(...rows.map((row) => (row.perSecond * row.upstreamCpuMicrosPerCall) / 1e6)).toFixed(2)
  )
}
console.log(`client: ${total} cancels at concurrency ${concurrency}, ${rounds} rounds, canned upstream; ${machine}`)
console.log(
  `  ${"subject".padEnd(40)} ${"cancels/s".padStart(9)} ${"(range)".padStart(13)} ${"CPU µs/call".padStart(12)}`
)
for (const row of [...rows, upstreamRow]) {
  console.log(
    `  ${row.name.padEnd(40)} ${String(row.perSecond).padStart(9)} ${
      `${row.perSecondRange[0]}–${row.perSecondRange[1]}`.padStart(13)
    } ${String(row.cpuMicrosPerCall).padStart(12)}`
  )
}
console.log(
  `  upstream alone / fastest subject: ${summary.upstreamHeadroom}× (goal ≥ 3×); the upstream's core was at most ${
    Math.round(summary.upstreamBusyUnderFastest * 100)
  }% busy under any subject`
)
console.log(
  `  filebatch / openai: ${summary.throughputVsOpenai}× throughput, ${summary.cpuVsOpenai}× CPU per call; ` +
    `filebatch / raw undici: ${summary.cpuVsRawUndici}× CPU per call (goal ≤ 1.3×), ${summary.throughputVsRawUndici}× throughput`
)
writeResult("client", { total, concurrency, rounds, rows, upstream: upstreamRow, summary })
process.exit(0)
