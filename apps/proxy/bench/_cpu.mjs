// CPU µs per request of the proxy process for a target path (reads /proc/<pid>/stat).
import autocannon from "autocannon"
import { readFileSync } from "node:fs"
import { createHash } from "node:crypto"
import { startEmulator, seedBatch, clientKey, start } from "../../../bench/common.mjs"
const upstream = process.env.FAST ? await start([new URL("../../../bench/_tmp/up.mjs", import.meta.url).pathname], {}, /listening on (http:\/\/\S+)/) : await startEmulator()
const ref = process.env.FAST ? { vectorStoreId: "vs_1", batchId: "vsfb_1" } : await seedBatch(upstream.url, 2)
const apiUrl = process.env.FAST ? upstream.url + "/v1" : upstream.url
const path = `/v1/vector_stores/${ref.vectorStoreId}/file_batches/${ref.batchId}`
const proxy = await start([process.env.BUNDLE ?? "dist/proxy.mjs"], {
    PORT: "0", OPENAI_API_KEY: "sk-bench-upstream", OPENAI_BASE_URL: apiUrl,
    FILEBATCH_PROXY_KEYS: JSON.stringify([{ name: "bench", sha256: createHash("sha256").update(clientKey).digest("hex"), vectorStores: "*" }]),
    FILEBATCH_PROXY_MAX_QUEUE: "100000", ...JSON.parse(process.env.PENV ?? "{}") }, /"message":"listening".*?"url":"(http:\/\/[^"]+)"/)
const ticks = () => { const f = readFileSync(`/proc/${proxy.child.pid}/stat`, "utf8").split(") ")[1].split(" "); return (Number(f[11]) + Number(f[12])) * 10000 }
for (const target of (process.env.TARGETS ?? `/healthz,${path}`).split(",")) {
  for (let i = 0; i < 2; i++) {
    const t0 = ticks()
    const r = await autocannon({ url: proxy.url + target, headers: { authorization: `Bearer ${clientKey}` }, duration: Number(process.env.SECS ?? 4), connections: 32 })
    const n = r.requests.total
    console.log(target.slice(0, 30).padEnd(32), "rps", String(Math.round(r.requests.average)).padStart(6), "cpu µs/req", ((ticks() - t0) / n).toFixed(0).padStart(5), "non2xx", r.non2xx)
  }
}
await proxy.stop(); await upstream.stop(); process.exit(0)
