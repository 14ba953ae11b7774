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
  ["bulk", here("../apps/cli/bench/bulk.mjs")],
  ["proxy", here("../apps/proxy/bench/proxy.mjs")],
  ["herd", here("./herd.mjs")],
  ["replicas", here("../apps/proxy/bench/replicas.mjs")],
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
const bulk = read(here("./results/bulk.json"))
const proxy = read(here("./results/proxy.json"))
const herd = read(here("./results/herd.json"))
const replicas = read(here("./results/replicas.json"))
const memory = read(here("./results/memory.json"))
const cached = startup.rows.find((row) => row.name.includes("(later runs, user's cache)"))
const firstRun = startup.rows.find((row) => row.name.includes("(first run, shipped cache)"))
const noCache = startup.rows.find((row) => row.name.includes("(no code cache)"))
const executable = startup.rows.find((row) => row.name.includes("executable"))
// Each figure with its goal, stated once: the text and the verdict both come from it.
const atLeast = (name, value, goal, unit = "×") => ({ name, value, unit, goal, met: value >= goal, sign: "≥" })
const atMost = (name, value, goal, unit = "×") => ({ name, value, unit, goal, met: value <= goal, sign: "≤" })
const rows = [
  atLeast("client: upstream alone / fastest subject", client.summary.upstreamHeadroom, 3),
  atMost("client: CPU per cancel vs raw undici", client.summary.cpuVsRawUndici, 1.3),
  atLeast("client: throughput vs openai", client.summary.throughputVsOpenai, 2),
  atMost("CLI cold start vs openai, first run", firstRun.ratioToOpenai, 0.35),
  atMost("CLI cold start vs openai, user's cache", cached.ratioToOpenai, 0.35),
  atMost("CLI cold start vs openai, no cache at all", noCache.ratioToOpenai, 0.35),
  atMost("CLI cold start vs openai, standalone executable (first run)", executable.ratioToOpenai, 0.35),
  atLeast("CLI bulk cancels/s vs cancelMany", bulk.summary.cliVsLibrary, 0.8),
  atLeast("proxy: upstream alone / fastest subject", proxy.summary.upstreamHeadroom, 3),
  atLeast("proxy: req/s vs passthrough", proxy.summary.throughputVsPassthrough, 0.67),
  atMost("proxy: CPU per request vs passthrough", proxy.summary.cpuVsPassthrough, 1.5),
  atMost("proxy: added p50 at fixed rate", proxy.summary.addedP50Ms, 0.5, " ms"),
  atMost("proxy: added p99 at fixed rate", proxy.summary.addedP99Ms, 2, " ms"),
  atMost("proxy: CPU, tracing on with 10% sampled, vs off", proxy.summary.sampledCpuVsOff, 1.3),
  atMost("proxy: idle RSS", proxy.summary.idleRssMiB, 60, " MiB"),
  atMost("proxy: idle RSS as the image runs it (malloc trim)", proxy.summary.imageIdleRssMiB, 60, " MiB"),
  atMost("herd: upstream calls / callers", Number((herd.ratio * 100).toFixed(2)), 1, "%"),
  ...(replicas.skipped
    ? []
    : [
      atMost("herd over 2 replicas (Redis): upstream / callers", Number((replicas.herd.ratio * 100).toFixed(2)), 1, "%")
    ]),
  atMost("memory growth between halves", Number((memory.growth * 100).toFixed(1)), 5, "%")
]
console.log(`\n== summary (${machine})`)
for (const { goal, met, name, sign, unit, value } of rows) {
  console.log(
    `${name.padEnd(42)} ${`${value}${unit}`.padStart(9)}   goal ${`${sign} ${goal}${unit}`.padEnd(10)} ${
      met ? "met" : "MISSED"
    }`
  )
}
if (!replicas.skipped) {
  const [one, two] = replicas.workers
  console.log(
    `${"proxy: 2 workers vs 1 (no goal; shared cores)".padEnd(42)} ${`${replicas.workersGain}×`.padStart(9)}   ` +
      `${one.rps} → ${two.rps} req/s, ${one.cpuMicrosPerRequest} → ${two.cpuMicrosPerRequest} CPU µs/request`
  )
}
process.exit(failed ? 1 : 0)
