// The standalone `filebatch` for people without Node: a Node single executable application
// (Node 20's SEA) injected with postject into a copy of the node binary that runs this script.
// The SEA's main is a small launcher; the CLI's bundle, V8's code cache of it (the one
// build.mjs made on this Node, so run `build` first) and the emulator's bundle ride as
// assets. The launcher compiles the bundle with that cache, as the npm package's launcher
// does: a first run compiles nothing it has already seen (SEA's own `useCodeCache` covers
// only the top level, measured 0.69× the openai script against 0.49×). No start-up
// snapshot: user-land snapshots of Node 20 cannot hold http, net or tty.
// Writes dist/filebatch, or the path given as the first argument; prints its size.
import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { bundleOf } from "./bundle.mjs"

const output = resolve(process.argv[2] ?? "dist/filebatch")
const cli = await bundleOf("src/bin.ts")
const key = createHash("sha256").update(cli).digest("hex").slice(0, 16)
const cache = resolve(`dist/filebatch.cjs.${key}-${process.version}-${process.arch}.v8`)
if (!existsSync(cache)) throw new Error(`no code cache ${cache}: run the CLI's build first, on this Node`)

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
  writeFileSync(at("emulator.js"), await bundleOf("src/emulator.ts"))
  writeFileSync(
    at("sea-config.json"),
    JSON.stringify({
      main: at("launcher.cjs"),
      output: at("filebatch.blob"),
      disableExperimentalSEAWarning: true,
      assets: { "cli.js": at("cli.js"), "cli.v8": cache, "emulator.js": at("emulator.js") }
    })
  )
  execFileSync(process.execPath, ["--experimental-sea-config", at("sea-config.json")], { stdio: "pipe" })
  mkdirSync(dirname(output), { recursive: true })
  copyFileSync(process.execPath, output)
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
console.log(`${output}: ${mib} MiB (Node ${process.version}, ${process.arch})`)
