import { HttpClient } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { FileBatchClient, FileBatchConfig } from "@filebatch/core"
import { Effect, Layer, ManagedRuntime } from "effect"
import { Agent, request } from "undici"
import { start } from "../common.mjs"
const up = await start([new URL("./up.mjs", import.meta.url).pathname], {}, /listening on (http:\/\/\S+)/)
const base = up.url + "/v1"
const httpLayer = Layer.effect(HttpClient.HttpClient, Effect.map(HttpClient.HttpClient, (c) => c.pipe(HttpClient.withTracerPropagation(false), HttpClient.withTracerDisabledWhen(() => true)))).pipe(Layer.provide(NodeHttpClient.layerUndici))
const coreLayer = Layer.merge(FileBatchClient.layer.pipe(Layer.provide(FileBatchConfig.layer({ apiKey: "sk-x", baseUrl: base }))), httpLayer).pipe(Layer.provide(httpLayer))
const runtime = ManagedRuntime.make(coreLayer)
const client = await runtime.runPromise(FileBatchClient.FileBatchClient)
const http = await runtime.runPromise(HttpClient.HttpClient)
const ref = { vectorStoreId: "vs_1", batchId: "vsfb_1" }
const url = `${base}/vector_stores/vs_1/file_batches/vsfb_1/cancel`
const dispatcher = new Agent({ connections: 32 })
const N = Number(process.env.N ?? 20000), C = 32
const subjects = {
  undici: async () => { const r = await request(url, { method: "POST", dispatcher, headers: { authorization: "Bearer sk-x" } }); return JSON.parse(await r.body.text()) },
  effectHttp: () => runtime.runPromise(Effect.flatMap(http.post(url, { headers: { authorization: "Bearer sk-x" } }), (r) => r.text)),
  coreExecute: () => runtime.runPromise(client.execute("cancel", ref)),
}
const inFiber = {
  coreFiberLoop: Effect.forEach(Array.from({ length: N }), () => client.execute("cancel", ref), { concurrency: C, discard: true }),
  effectHttpFiberLoop: Effect.forEach(Array.from({ length: N }), () => Effect.flatMap(http.post(url, { headers: { authorization: "Bearer sk-x" } }), (r) => r.text), { concurrency: C, discard: true }),
}
const measure = async (name, run) => {
  const c0 = process.cpuUsage(), t0 = performance.now()
  await run()
  const c = process.cpuUsage(c0), t = performance.now() - t0
  console.log(name.padEnd(22), "cpu µs/call", ((c.user + c.system) / N).toFixed(0).padStart(5), " calls/s", Math.round(N / t * 1000))
}
for (let r = 0; r < 2; r++) {
  for (const [name, call] of Object.entries(subjects)) await measure(name, async () => { let next = 0; await Promise.all(Array.from({ length: C }, async () => { while (next++ < N) await call() })) })
  for (const [name, eff] of Object.entries(inFiber)) await measure(name, () => runtime.runPromise(eff))
}
await up.stop(); process.exit(0)
