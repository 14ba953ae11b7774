// `pnpm bench`: every benchmark in one run. Throughput and cost against the canned
// node:http upstream (bench/upstream.mjs, never the limit), behaviour (herd, memory)
// against the emulator. Prints each one's table and a summary against the goals; results
// land in bench/results/.
import { spawnSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { here, machine } from "./common.mjs"

const scripts = [
  ["client", here("./client.mjs")],
  ["startup", here("../apps/cli/bench/startup.mjs")],
  ["proxy", here("../apps/proxy/bench/proxy.mjs")],
  ["herd", here("./herd.mjs")],
  ["memory", here("./memory.mjs")]
]
let failed = false
for (const [name, script] of scripts) {
  console.log(`\n== ${name}`)
  const result = spawnSync(process.execPath, [script], { stdio: "inherit", timeout: 240_000 })
  if (result.status !== 0) {
    failed = true
    console.log(`${name} did not finish (${result.status ?? result.signal})`)
  }
}

const read = (path) => JSON.parse(readFileSync(path, "utf8"))
const client = read(here("./results/client.json"))
const startup = read(here("./results/startup.json"))
const proxy = read(here("./results/proxy.json"))
const herd = read(here("./results/herd.json"))
const memory = read(here("./results/memory.json"))
const cached = startup.rows.find((row) => row.name.includes("(code cache)"))
const firstRun = startup.rows.find((row) => row.name.includes("(no code cache)"))
const times = (value) => `${value}×`
const rows = [
  [
    "client: upstream alone / fastest subject",
    times(client.summary.upstreamHeadroom),
    "≥ 3×",
    client.summary.upstreamHeadroom >= 3
  ],
  [
    "client: CPU per cancel vs raw undici",
    times(client.summary.cpuVsRawUndici),
    "≤ 1.3×",
    client.summary.cpuVsRawUndici <= 1.3
  ],
  [
    "client: throughput vs openai",
    times(client.summary.throughputVsOpenai),
    "≥ 2×",
    client.summary.throughputVsOpenai >= 2
  ],
  ["CLI cold start vs openai, first run", times(firstRun.ratioToOpenai), "≤ 0.35×", firstRun.ratioToOpenai <= 0.35],
  ["CLI cold start vs openai, code cache", times(cached.ratioToOpenai), "≤ 0.35×", cached.ratioToOpenai <= 0.35],
  [
    "proxy: upstream alone / fastest subject",
    times(proxy.summary.upstreamHeadroom),
    "≥ 3×",
    proxy.summary.upstreamHeadroom >= 3
  ],
  [
    "proxy: req/s vs passthrough",
    times(proxy.summary.throughputVsPassthrough),
    "≥ 0.67×",
    proxy.summary.throughputVsPassthrough >= 0.67
  ],
  [
    "proxy: CPU per request vs passthrough",
    times(proxy.summary.cpuVsPassthrough),
    "≤ 1.5×",
    proxy.summary.cpuVsPassthrough <= 1.5
  ],
  ["proxy: added p50 at fixed rate", `${proxy.summary.addedP50Ms} ms`, "≤ 0.5 ms", proxy.summary.addedP50Ms <= 0.5],
  ["proxy: added p99 at fixed rate", `${proxy.summary.addedP99Ms} ms`, "≤ 2 ms", proxy.summary.addedP99Ms <= 2],
  ["proxy: idle RSS", `${proxy.summary.idleRssMiB} MiB`, "≤ 60 MiB", proxy.summary.idleRssMiB <= 60],
  ["herd: upstream calls / callers", `${(herd.ratio * 100).toFixed(2)}%`, "≤ 1%", herd.ratio <= 0.01],
  ["memory growth between halves", `${(memory.growth * 100).toFixed(1)}%`, "≤ 5%", memory.growth <= 0.05]
]
console.log(`\n== summary (${machine})`)
for (const [name, value, goal, met] of rows) {
  console.log(`${name.padEnd(42)} ${value.padStart(9)}   goal ${goal.padEnd(8)} ${met ? "met" : "MISSED"}`)
}
process.exit(failed ? 1 : 0)
