// Cold start of a one-shot `cancel`: each run is a new process against the canned
// node:http upstream on loopback. Compares `node -e 0`, the bundled CLI (without any code
// cache; a first run with an empty cache folder, using the cache shipped beside the file;
// later runs of the file alone, with the user's cache), the standalone executable, and a
// one-shot script using the official `openai` package.
// Prints a table and writes bench/results/startup.json (at the repository root).
import { execFileSync } from "node:child_process"
import { copyFileSync, mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import {
  cannedRef,
  interleavedColdRuns,
  machine,
  median,
  startUpstream,
  upstreamKey,
  writeResult
} from "../../../bench/common.mjs"

const here = (path) => fileURLToPath(new URL(path, import.meta.url))
const cli = here("../dist/filebatch.cjs")
const openaiScript = here("./openai-cancel.mjs")
const rounds = Number(process.env.ROUNDS ?? 15)
const key = upstreamKey

const upstream = await startUpstream()
const url = upstream.url
const store = { id: cannedRef.vectorStoreId }
const batch = { id: cannedRef.batchId }

const cacheHome = mkdtempSync(join(tmpdir(), "filebatch-bench-"))
const env = { ...process.env, OPENAI_API_KEY: key, OPENAI_BASE_URL: url, XDG_CACHE_HOME: cacheHome }
// The file alone, without the cache shipped beside it: what a Node other than the build's sees.
const alone = join(mkdtempSync(join(tmpdir(), "filebatch-bench-alone-")), "filebatch.cjs")
copyFileSync(cli, alone)
const exe = join(mkdtempSync(join(tmpdir(), "filebatch-bench-exe-")), "filebatch")
execFileSync(process.execPath, [here("../build-exe.mjs"), exe], { cwd: here(".."), stdio: "ignore" })
const subjects = [
  { name: "node -e 0", args: ["-e", "0"], env },
  {
    name: "filebatch cancel (no code cache)",
    args: [cli, "cancel", store.id, batch.id],
    env: { ...env, FILEBATCH_COMPILE_CACHE: "0" }
  },
  {
    // Each run with an empty cache folder, like a CI job or a new container.
    name: "filebatch cancel (first run, shipped cache)",
    args: [cli, "cancel", store.id, batch.id],
    env: () => ({ ...env, XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), "filebatch-bench-first-")) })
  },
  { name: "filebatch cancel (later runs, user's cache)", args: [alone, "cancel", store.id, batch.id], env },
  // The standalone executable (Node's SEA with its code cache inside): no cache folder at all.
  {
    name: "filebatch executable cancel (first run)",
    program: exe,
    args: ["cancel", store.id, batch.id],
    env: () => ({ ...env, XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), "filebatch-bench-exe-")) })
  },
  { name: "openai script", args: [openaiScript, store.id, batch.id], env }
]

// One warm-up each (fills the OS file cache and the CLI's code cache), then interleaved rounds.
const samples = interleavedColdRuns(subjects, rounds)
await upstream.stop()

const openai = median(samples["openai script"])
const rows = subjects.map((s) => ({
  name: s.name,
  medianMs: Number(median(samples[s.name]).toFixed(1)),
  minMs: Number(Math.min(...samples[s.name]).toFixed(1)),
  ratioToOpenai: Number((median(samples[s.name]) / openai).toFixed(2))
}))
console.log(`cold one-shot cancel, ${rounds} rounds, ${machine}`)
console.log("subject".padEnd(46) + "median ms".padStart(10) + "min ms".padStart(9) + "  × openai")
for (const row of rows) {
  console.log(
    row.name.padEnd(46) + String(row.medianMs).padStart(10) + String(row.minMs).padStart(9) + `  ${row.ratioToOpenai}`
  )
}
console.log("goal: filebatch cancel ≤ 0.35 × openai script, first run too")
writeResult("startup", { rounds, rows })
