// Client throughput: N cancels at concurrency 64 against the emulator on loopback, by
// `cancelFileBatch` (retry policy and schema validation on) over @filebatch/undici's
// lean client and over the platform's undici client, the official `openai` package, and
// raw undici. Medians of interleaved rounds. The ratio to openai is taken with the lean
// client, the one filebatch ships for this.
import { HttpClient } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { cancelFileBatch, FileBatchClient, FileBatchConfig } from "@filebatch/core"
import { UndiciHttpClient } from "@filebatch/undici"
import { Effect, Layer, ManagedRuntime } from "effect"
import OpenAI from "openai"
import { Agent, request } from "undici"
import { machine, median, seedBatch, startEmulator, upstreamKey, writeResult } from "./common.mjs"

const total = Number(process.env.CANCELS ?? 3000)
const concurrency = 64
const rounds = Number(process.env.ROUNDS ?? 3)

const emulator = await startEmulator()
const ref = await seedBatch(emulator.url)

// The platform's undici client, with per-request tracing spans off.
const httpLayer = Layer.effect(
  HttpClient.HttpClient,
  Effect.map(
    HttpClient.HttpClient,
    (client) => client.pipe(HttpClient.withTracerPropagation(false), HttpClient.withTracerDisabledWhen(() => true))
  )
).pipe(Layer.provide(NodeHttpClient.layerUndici))
const coreOver = (http) =>
  FileBatchClient.layer.pipe(
    Layer.provide(FileBatchConfig.layer({ apiKey: upstreamKey, baseUrl: emulator.url })),
    Layer.provide(http)
  )
const runtime = ManagedRuntime.make(coreOver(httpLayer))
const leanRuntime = ManagedRuntime.make(coreOver(UndiciHttpClient.layer()))
const openai = new OpenAI({ apiKey: upstreamKey, baseURL: emulator.url })
const dispatcher = new Agent({ connections: concurrency })
const url = `${emulator.url}/vector_stores/${ref.vectorStoreId}/file_batches/${ref.batchId}/cancel`

const subjects = {
  "filebatch (@filebatch/undici)": () => leanRuntime.runPromise(cancelFileBatch(ref)),
  "filebatch (platform undici)": () => runtime.runPromise(cancelFileBatch(ref)),
  "openai package": () => openai.vectorStores.fileBatches.cancel(ref.batchId, { vector_store_id: ref.vectorStoreId }),
  "raw undici": async () => {
    const response = await request(url, {
      method: "POST",
      dispatcher,
      headers: { authorization: `Bearer ${upstreamKey}` }
    })
    return JSON.parse(await response.body.text())
  }
}

const measure = async (call) => {
  let next = 0
  const started = performance.now()
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next++ < total) await call()
  }))
  return total / ((performance.now() - started) / 1000)
}

const samples = Object.fromEntries(Object.keys(subjects).map((name) => [name, []]))
for (const call of Object.values(subjects)) await measure(call) // warm-up
for (let round = 0; round < rounds; round++) {
  for (const [name, call] of Object.entries(subjects)) samples[name].push(await measure(call))
}
await emulator.stop()

const rows = Object.entries(samples).map(([name, values]) => ({ name, cancelsPerSecond: Math.round(median(values)) }))
const ours = rows[0].cancelsPerSecond
const theirs = rows[2].cancelsPerSecond
const ratio = Number((ours / theirs).toFixed(2))
console.log(`client throughput: ${total} cancels at concurrency ${concurrency}, ${rounds} rounds; ${machine}`)
for (const row of rows) console.log(`  ${row.name.padEnd(28)} ${String(row.cancelsPerSecond).padStart(6)} cancels/s`)
console.log(
  `  filebatch / openai: ${ratio}× (goal ≥ 2×); over the platform's client: ${
    (rows[1].cancelsPerSecond / theirs).toFixed(2)
  }×`
)
writeResult("client", { total, concurrency, rounds, rows, ratioToOpenai: ratio, goal: 2 })
process.exit(0)
