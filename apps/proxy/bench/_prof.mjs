import autocannon from "autocannon"
import { startEmulator, startProxy, seedBatch, clientKey, start } from "/work/main/bench/common.mjs"
const emulator = await startEmulator()
const ref = await seedBatch(emulator.url, 2)
const path = `/v1/vector_stores/${ref.vectorStoreId}/file_batches/${ref.batchId}`
const extra = process.env.PROF ? ["--cpu-prof", "--cpu-prof-dir=/tmp/prof/out"] : []
const { createHash } = await import("node:crypto")
const proxy = await start([...extra, process.env.BUNDLE ?? "/work/main/apps/proxy/dist/proxy.mjs"], {
    PORT: "0", OPENAI_API_KEY: "sk-bench-upstream", OPENAI_BASE_URL: emulator.url,
    FILEBATCH_PROXY_KEYS: JSON.stringify([{ name: "bench", sha256: createHash("sha256").update(clientKey).digest("hex"), vectorStores: "*" }]),
    FILEBATCH_PROXY_MAX_QUEUE: "100000", ...JSON.parse(process.env.PENV ?? "{}") }, /"message":"listening".*?"url":"(http:\/\/[^"]+)"/)
const target = process.env.TARGET ?? path
for (let i = 0; i < Number(process.env.N ?? 2); i++) {
  const r = await autocannon({ url: proxy.url + target, headers: { authorization: `Bearer ${clientKey}` }, duration: Number(process.env.SECS ?? 4), connections: 32 })
  console.log("rps", Math.round(r.requests.average), "p50", r.latency.p50, "non2xx", r.non2xx, "errors", r.errors)
}
await proxy.stop(); await emulator.stop(); process.exit(0)
