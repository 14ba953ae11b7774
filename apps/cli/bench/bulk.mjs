// Bulk cancels: `filebatch cancel --from FILE --concurrency 64` (the bundled CLI) against
// core's `cancelMany` at the same concurrency over the same HTTP client (node:http with a
// keep-alive agent), both as a new process each round (bulk-library.mjs is the script a
// user would write), against the canned node:http upstream. Both figures include process
// start-up and JIT warm-up; a third row, `cancelMany` warm in this process, shows their
// cost. Reports cancels/s and CPU µs per cancel. Goal: the CLI ≥ 0.8× the library's throughput.
import { NodeHttpClient } from "@effect/platform-node"
import { cancelMany, FileBatchClient, FileBatchConfig } from "@filebatch/core"
import { Layer, ManagedRuntime, Stream } from "effect"
import { spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { cannedRef, machine, median, startUpstream, upstreamKey, writeResult } from "../../../bench/common.mjs"

const here = (path) => fileURLToPath(new URL(path, import.meta.url))
const cli = here("../dist/filebatch.cjs")
const total = Number(process.env.CANCELS ?? 5000)
const concurrency = 64
const rounds = Number(process.env.ROUNDS ?? 5)

const upstream = await startUpstream()
const dir = mkdtempSync(join(tmpdir(), "filebatch-bulk-"))
const input = join(dir, "batches.txt")
writeFileSync(input, `${cannedRef.vectorStoreId} ${cannedRef.batchId}\n`.repeat(total))
const cpuFile = join(dir, "cpu")
const env = {
  ...process.env,
  OPENAI_API_KEY: upstreamKey,
  OPENAI_BASE_URL: upstream.url,
  XDG_CACHE_HOME: dir,
  FILEBATCH_BENCH_CPU_FILE: cpuFile
}

const runtime = ManagedRuntime.make(
  FileBatchClient.layer.pipe(
    Layer.provide(FileBatchConfig.layer({ apiKey: upstreamKey, baseUrl: upstream.url })),
    Layer.provide(
      NodeHttpClient.layerWithoutAgent.pipe(Layer.provide(NodeHttpClient.makeAgentLayer({ keepAlive: true })))
    )
  )
)
const refs = Array.from({ length: total }, () => cannedRef)

const warmLibrary = async () => {
  const cpuBefore = process.cpuUsage()
  const started = performance.now()
  const done = await runtime.runPromise(
    cancelMany(refs, { concurrency }).pipe(
      Stream.runFold(0, (n, outcome) => (outcome._tag === "Cancelled" ? n + 1 : n))
    )
  )
  if (done !== total) throw new Error(`warm library: ${done} of ${total} cancelled`)
  const seconds = (performance.now() - started) / 1000
  const cpu = process.cpuUsage(cpuBefore)
  return { perSecond: total / seconds, cpuMicrosPerCall: (cpu.user + cpu.system) / total, seconds }
}

const spawnNode = (args) => {
  const started = performance.now()
  const result = spawnSync(process.execPath, ["--import", new URL("./cpu-report.mjs", import.meta.url).href, ...args], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 * 1024 * 1024
  })
  const seconds = (performance.now() - started) / 1000
  if (result.status !== 0) throw new Error(`node ${args.join(" ")} failed: ${result.stderr}`)
  return { seconds, cpuMicros: Number(readFileSync(cpuFile, "utf8")), stdout: result.stdout.toString() }
}

const coldLibrary = () => {
  const run = spawnNode([here("./bulk-library.mjs"), input, String(concurrency)])
  if (run.stdout.trim() !== String(total)) throw new Error(`library: ${run.stdout.trim()} of ${total} cancelled`)
  return { perSecond: total / run.seconds, cpuMicrosPerCall: run.cpuMicros / total, seconds: run.seconds }
}

const bulkCli = () => {
  const run = spawnNode([cli, "cancel", "--from", input, "--concurrency", String(concurrency), "-o", "ids"])
  const lines = run.stdout.trim().split("\n").length
  if (lines !== total) throw new Error(`CLI: ${lines} of ${total} cancelled`)
  return { perSecond: total / run.seconds, cpuMicrosPerCall: run.cpuMicros / total, seconds: run.seconds }
}
// The CLI's start-up and one cancel, to show how much of a bulk run it is.
const oneShot = () => spawnNode([cli, "cancel", cannedRef.vectorStoreId, cannedRef.batchId])

await warmLibrary()
coldLibrary()
bulkCli()
const samples = { library: [], warm: [], cli: [], oneShot: [] }
for (let round = 0; round < rounds; round++) {
  samples.library.push(coldLibrary())
  samples.cli.push(bulkCli())
  samples.warm.push(await warmLibrary())
  samples.oneShot.push(oneShot())
}
await runtime.dispose()
await upstream.stop()

const row = (name, values) => ({
  name,
  perSecond: Math.round(median(values.map((v) => v.perSecond))),
  perSecondRange: [
    Math.round(Math.min(...values.map((v) => v.perSecond))),
    Math.round(Math.max(...values.map((v) => v.perSecond)))
  ],
  cpuMicrosPerCall: Math.round(median(values.map((v) => v.cpuMicrosPerCall)))
})
const rows = [
  row("cancelMany (a new process)", samples.library),
  row("filebatch cancel --from", samples.cli),
  row("cancelMany (warm, in process)", samples.warm)
]
const startupMs = Math.round(median(samples.oneShot.map((v) => v.seconds * 1000)))
const summary = { cliVsLibrary: Number((rows[1].perSecond / rows[0].perSecond).toFixed(2)), startupMs }
console.log(`bulk: ${total} cancels at concurrency ${concurrency}, ${rounds} rounds, canned upstream; ${machine}`)
console.log(
  `  ${"subject".padEnd(36)} ${"cancels/s".padStart(9)} ${"(range)".padStart(13)} ${"CPU µs/call".padStart(12)}`
)
for (const r of rows) {
  console.log(
    `  ${r.name.padEnd(36)} ${String(r.perSecond).padStart(9)} ${
      `${r.perSecondRange[0]}–${r.perSecondRange[1]}`.padStart(13)
    } ${String(r.cpuMicrosPerCall).padStart(12)}`
  )
}
console.log(
  `  CLI / library: ${summary.cliVsLibrary}× throughput (goal ≥ 0.8×), the CLI's start-up included ` +
    `(a one-shot cancel takes ${startupMs} ms)`
)
writeResult("bulk", { total, concurrency, rounds, rows, summary })
process.exit(0)
