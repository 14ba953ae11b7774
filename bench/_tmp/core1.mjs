import { HttpClient } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { FileBatchClient, FileBatchConfig } from "@filebatch/core"
import { Effect, Layer, ManagedRuntime } from "effect"
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
const N = Number(process.env.N ?? 40000)
const eff = process.env.WHAT === "http" ? () => Effect.flatMap(http.post(url, { headers: { authorization: "Bearer sk-x" } }), (r) => r.text) : () => client.execute("cancel", ref)
await runtime.runPromise(Effect.forEach(Array.from({ length: N }), eff, { concurrency: 32, discard: true }))
await up.stop(); process.exit(0)
