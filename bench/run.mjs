// `pnpm bench`: every benchmark in one run, each against the emulator on loopback. Prints
// each one's table and a summary against the goals; results land in bench/results/.
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
const rows = [
  ["client throughput vs openai", `${client.ratioToOpenai}×`, "≥ 2×", client.ratioToOpenai >= 2],
  ["CLI cold start vs openai script", `${cached.ratioToOpenai}×`, "≤ 0.5×", cached.ratioToOpenai <= 0.5],
  [
    "proxy req/s vs passthrough",
    `${proxy.summary.throughputVsPassthrough}×`,
    "≥ 0.5×",
    proxy.summary.throughputVsPassthrough >= 0.5
  ],
  ["proxy added p50 at fixed rate", `${proxy.summary.addedP50Ms} ms`, "≤ 1 ms", proxy.summary.addedP50Ms <= 1],
  ["proxy added p99 at fixed rate", `${proxy.summary.addedP99Ms} ms`, "≤ 5 ms", proxy.summary.addedP99Ms <= 5],
  ["herd: upstream calls / callers", `${(herd.ratio * 100).toFixed(2)}%`, "≤ 1%", herd.ratio <= 0.01],
  ["memory growth between halves", `${(memory.growth * 100).toFixed(1)}%`, "≤ 10%", memory.growth <= 0.1]
]
console.log(`\n== summary (${machine})`)
for (const [name, value, goal, met] of rows) {
  console.log(`${name.padEnd(34)} ${value.padStart(9)}   goal ${goal.padEnd(7)} ${met ? "met" : "MISSED"}`)
}
process.exit(failed ? 1 : 0)
