// The standalone `filebatch` for people without Node: a Node single executable application
// (SEA) injected with postject into a copy of the Node that filebatch ships
// (shipped-node.json, fetched from the npm registry and checked by scripts/shipped-node.mjs),
// whichever Node runs this script. The SEA's blob is made by that Node too. Its main is a
// small launcher; the CLI's bundle, V8's code cache of it (made by that Node, from the
// launcher build.mjs wrote: run `build` first) and the emulator's bundle ride as assets. The
// launcher compiles the bundle with that cache, as the npm package's launcher does: a first
// run compiles nothing it has already seen (SEA's own `useCodeCache` covers only the top
// level, measured 0.69× the openai script against 0.49×). No start-up snapshot: user-land
// snapshots cannot hold http, net or tty.
// Writes dist/filebatch, or the path given as the first argument (`--node <path>`: another
// Node, for a benchmark of another line); prints its size.
import { execFileSync } from "node:child_process"
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { parseArgs } from "node:util"
import { shippedNode } from "../../scripts/shipped-node.mjs"
import { bundleOf } from "./bundle.mjs"
import { makeCodeCache } from "./codeCache.mjs"

const { positionals, values } = parseArgs({ allowPositionals: true, options: { node: { type: "string" } } })
const output = resolve(positionals[0] ?? "dist/filebatch")
const node = values.node ?? shippedNode()
const nodeVersion = execFileSync(node, ["--version"], { encoding: "utf8" }).trim()
if (!existsSync("dist/filebatch.cjs")) throw new Error("no dist/filebatch.cjs: run the CLI's build first")
const cli = await bundleOf("src/bin.ts")
const cache = await makeCodeCache(node, resolve("dist/filebatch.cjs"))

// The same wrapper as the npm launcher's, so that the cache made for it fits.
const launcher = `"use strict"
const { getAsset } = require("node:sea")
const { Script } = require("node:vm")
const { createRequire } = require("node:module")
const filename = process.execPath
const wrap = (source) => "(function (exports, require, module, __filename, __dirname) {" + source + "\\n})"
const emulator = process.argv[2] === "emulator"
const source = getAsset(emulator ? "emulator.js" : "cli.js", "utf8")
const cachedData = emulator ? undefined : Buffer.from(getAsset("cli.v8"))
const script = new Script(wrap(source), { filename, cachedData })
const bundle = { exports: {} }
const stackTraceLimit = Error.stackTraceLimit
Error.stackTraceLimit = 0
try {
  script.runInThisContext()(bundle.exports, createRequire(filename), bundle, filename, require("node:path").dirname(filename))
} finally {
  Error.stackTraceLimit = stackTraceLimit
}
`

const work = mkdtempSync(join(tmpdir(), "filebatch-exe-"))
try {
  const at = (name) => join(work, name)
  writeFileSync(at("launcher.cjs"), launcher)
  writeFileSync(at("cli.js"), cli)
  writeFileSync(at("cli.v8"), cache.data)
  writeFileSync(at("emulator.js"), await bundleOf("src/emulator.ts"))
  writeFileSync(
    at("sea-config.json"),
    JSON.stringify({
      main: at("launcher.cjs"),
      output: at("filebatch.blob"),
      disableExperimentalSEAWarning: true,
      assets: { "cli.js": at("cli.js"), "cli.v8": at("cli.v8"), "emulator.js": at("emulator.js") }
    })
  )
  execFileSync(node, ["--experimental-sea-config", at("sea-config.json")], { stdio: "pipe" })
  mkdirSync(dirname(output), { recursive: true })
  copyFileSync(node, output)
  chmodSync(output, 0o755)
  const postject = join(dirname(createRequire(import.meta.url).resolve("postject/package.json")), "dist/cli.js")
  execFileSync(process.execPath, [
    postject,
    output,
    "NODE_SEA_BLOB",
    at("filebatch.blob"),
    "--sentinel-fuse",
    "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2"
  ], { stdio: "pipe" })
} finally {
  rmSync(work, { recursive: true, force: true })
}
const mib = (statSync(output).size / 1024 / 1024).toFixed(1)
console.log(`${output}: ${mib} MiB (Node ${nodeVersion}, ${process.arch})`)
