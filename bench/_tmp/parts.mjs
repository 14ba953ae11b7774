import { HttpClient, HttpClientRequest } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import { FileBatchClient, FileBatchConfig } from "@filebatch/core"
import { FileBatch } from "@filebatch/core"; const { VectorStoreFileBatch } = FileBatch
import { Effect, Layer, ManagedRuntime, Schema, Duration, Clock, Fiber, Exit } from "effect"
import { start } from "../common.mjs"
const up = await start([new URL("./up.mjs", import.meta.url).pathname], {}, /listening on (http:\/\/\S+)/)
const base = up.url + "/v1"
const raw = process.env.RAWHTTP === "1"
const httpLayer = raw ? NodeHttpClient.layerUndici : Layer.effect(HttpClient.HttpClient, Effect.map(HttpClient.HttpClient, (c) => c.pipe(HttpClient.withTracerPropagation(false), HttpClient.withTracerDisabledWhen(() => true)))).pipe(Layer.provide(NodeHttpClient.layerUndici))
const coreLayer = Layer.merge(FileBatchClient.layer.pipe(Layer.provide(FileBatchConfig.layer({ apiKey: "sk-x", baseUrl: base }))), httpLayer).pipe(Layer.provide(httpLayer))
const runtime = ManagedRuntime.make(coreLayer)
const client = await runtime.runPromise(FileBatchClient.FileBatchClient)
const http = await runtime.runPromise(HttpClient.HttpClient)
const ref = { vectorStoreId: "vs_1", batchId: "vsfb_1" }
const url = `${base}/vector_stores/vs_1/file_batches/vsfb_1/cancel`
const N = Number(process.env.N ?? 20000), C = 32
const req = HttpClientRequest.post(url, { headers: { authorization: "Bearer sk-x" } })
const basic = () => Effect.flatMap(http.execute(req), (r) => r.text)
const decodeE = Schema.decodeUnknown(VectorStoreFileBatch)
const decodeS = Schema.decodeUnknownEither(VectorStoreFileBatch)
const only = process.env.ONLY?.split(',')
const variants0 = {
  basic,
  withTimeout: () => Effect.timeoutFail(basic(), { duration: Duration.seconds(60), onTimeout: () => "t" }),
  oneFork: () => Effect.flatMap(Effect.fork(basic()), (fiber) => Effect.async((resume) => {
    const t = setTimeout(() => resume(Effect.zipRight(Fiber.interrupt(fiber), Effect.fail("t"))), 60000)
    fiber.addObserver((exit) => { clearTimeout(t); resume(exit) })
    return Effect.sync(() => clearTimeout(t))
  })),
  sleepFork: () => Effect.flatMap(Effect.fork(Effect.sleep(60000)), (sleeper) => Effect.ensuring(basic(), Fiber.interruptFork(sleeper))),
  withClock2: () => Effect.flatMap(Clock.currentTimeMillis, () => Effect.flatMap(basic(), (t) => Effect.map(Clock.currentTimeMillis, () => t))),
  buildReq: () => Effect.flatMap(http.execute(HttpClientRequest.make("POST")(url).pipe(HttpClientRequest.setHeaders({ "x-client-request-id": "abc" }), HttpClientRequest.acceptJson, HttpClientRequest.setHeader("user-agent", "x"), HttpClientRequest.bearerToken("sk-x"))), (r) => r.text),
  decodeEffect: () => Effect.flatMap(basic(), (t) => decodeE(JSON.parse(t))),
  decodeEither: () => Effect.flatMap(basic(), (t) => decodeS(JSON.parse(t))),
  core: () => client.execute("cancel", ref, { headers: { "x-client-request-id": "abc" } }),
}
const variants = only ? Object.fromEntries(Object.entries(variants0).filter(([k]) => only.includes(k))) : variants0
const measure = async (name, mk) => {
  const c0 = process.cpuUsage(), t0 = performance.now()
  await runtime.runPromise(Effect.forEach(Array.from({ length: N }), mk, { concurrency: C, discard: true }))
  const c = process.cpuUsage(c0), t = performance.now() - t0
  return (c.user + c.system) / N
}
const res = {}
for (let r = 0; r < 3; r++) for (const [name, mk] of Object.entries(variants)) (res[name] ??= []).push(await measure(name, mk))
for (const [k, v] of Object.entries(res)) console.log(k.padEnd(14), v.map((x) => x.toFixed(0)).join(" "))
await up.stop(); process.exit(0)
