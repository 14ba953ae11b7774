// The V8 start-up snapshot route for the one-shot cancel, measured (issue 14): is a
// snapshot holding the CLI's modules initialised faster than today's launcher with its
// code cache? Builds a snapshot of the bundle (`node --build-snapshot`; node's builtins
// are loaded on first use, as the snapshot builder cannot hold node:http), then times,
// each a new process against the canned upstream: an empty snapshot (Node's own floor),
// the CLI's snapshot doing nothing (the cost of deserialising its heap), the CLI's
// snapshot running the cancel, and the launcher with the code cache (what ships).
// Not part of `pnpm bench`: a record of why the route was not taken (apps/cli/README.md).
import { build } from "esbuild"
import { spawnSync } from "node:child_process"
import { mkdtempSync, statSync } from "node:fs"
import { builtinModules, createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { cannedRef, interleavedColdRuns, machine, median, startUpstream, upstreamKey } from "../../../bench/common.mjs"

const here = (path) => fileURLToPath(new URL(path, import.meta.url))
const rounds = Number(process.env.ROUNDS ?? 15)
const work = mkdtempSync(join(tmpdir(), "filebatch-snapshot-"))
const require = createRequire(import.meta.url)

// Each builtin becomes an object whose properties load the real module when first read.
const lazyBuiltins = {
  name: "lazy-builtins",
  setup(esbuild) {
    esbuild.onResolve({ filter: /^(node:)?[a-z_/]+$/ }, (args) => {
      const name = args.path.replace(/^node:/, "")
      return builtinModules.includes(name) && args.namespace !== "lazy" ? { path: name, namespace: "lazy" } : undefined
    })
    esbuild.onLoad({ filter: /.*/, namespace: "lazy" }, (args) => {
      const id = JSON.stringify(`node:${args.path}`)
      const names = Object.keys(require(`node:${args.path}`)).filter((name) => name !== "default")
      const getter = (name, value) =>
        `Object.defineProperty(module.exports, ${JSON.stringify(name)}, { enumerable: true, get: ${value} })`
      return {
        contents: [
          `let loaded; const real = () => (loaded ??= require(${id}))`,
          getter("default", "real"),
          ...names.map((name) => getter(name, `() => real()[${JSON.stringify(name)}]`))
        ].join("\n"),
        loader: "js",
        resolveDir: here(".")
      }
    })
  }
}

const snapshotOf = async (name, contents) => {
  const script = join(work, `${name}.cjs`)
  const blob = join(work, `${name}.blob`)
  await build({
    stdin: { contents, resolveDir: here(".."), loader: "ts", sourcefile: `${name}.ts` },
    bundle: true,
    outfile: script,
    platform: "node",
    format: "cjs",
    target: "node20",
    minify: true,
    conditions: ["@filebatch/source"],
    logLevel: "warning",
    plugins: [lazyBuiltins]
  })
  const made = spawnSync(process.execPath, ["--snapshot-blob", blob, "--build-snapshot", script], { encoding: "utf8" })
  if (made.status !== 0) throw new Error(`building the ${name} snapshot failed: ${made.stderr}`)
  return blob
}
const empty = await snapshotOf("empty", `require("node:v8").startupSnapshot.setDeserializeMainFunction(() => {})`)
const idle = await snapshotOf(
  "idle",
  `import "./src/main.ts"; require("node:v8").startupSnapshot.setDeserializeMainFunction(() => {})`
)
const cli = await snapshotOf(
  "cli",
  `import { main } from "./src/main.ts"; require("node:v8").startupSnapshot.setDeserializeMainFunction(main)`
)

const upstream = await startUpstream()
const cacheHome = mkdtempSync(join(tmpdir(), "filebatch-snapshot-cache-"))
const env = { ...process.env, OPENAI_API_KEY: upstreamKey, OPENAI_BASE_URL: upstream.url, XDG_CACHE_HOME: cacheHome }
const cancel = ["cancel", cannedRef.vectorStoreId, cannedRef.batchId]
// Run from a snapshot, the first argument is argv[1]; "filebatch" stands where a script's path would.
const subjects = [
  { name: "node -e 0", args: ["-e", "0"] },
  { name: "empty snapshot", args: ["--snapshot-blob", empty] },
  { name: "CLI snapshot, nothing run", args: ["--snapshot-blob", idle] },
  { name: "CLI snapshot, cancel", args: ["--snapshot-blob", cli, "filebatch", ...cancel] },
  { name: "launcher + code cache, cancel (ships)", args: [here("../dist/filebatch.cjs"), ...cancel] }
]
const samples = interleavedColdRuns(subjects, rounds, env)
await upstream.stop()

console.log(`V8 start-up snapshot vs the shipped launcher, ${rounds} rounds, ${machine}`)
const mib = (path) => `${(statSync(path).size / 2 ** 20).toFixed(1)} MiB`
console.log(`snapshot sizes: empty ${mib(empty)}, CLI ${mib(cli)}`)
for (const subject of subjects) {
  console.log(subject.name.padEnd(40) + `${median(samples[subject.name]).toFixed(1)} ms`.padStart(10))
}
