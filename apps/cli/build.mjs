// Bundles the CLI into one file, dist/filebatch.cjs, and reports its size.
//
// Start-up is most of a one-shot command's time, and compiling a 1 MiB bundle is most
// of start-up (measured in bench/startup.mjs). So the file is a small launcher with the
// bundle embedded as a string: it compiles it with node:vm and keeps V8's code cache
// in the user's cache folder (what Node 22's module.enableCompileCache does; Node 20
// has no such switch). A cache made at build time ships beside the file
// (dist/filebatch.cjs.<key>-<node version>-<arch>.v8): a first run on the Node the
// build ran on (a CI job, a fresh container) uses it instead of compiling; elsewhere V8
// rejects it and the run compiles as usual. Later runs use the user's cache.
// FILEBATCH_COMPILE_CACHE=0 turns both off.
import { createHash } from "node:crypto"
import { chmodSync, mkdirSync, readdirSync, statSync, unlinkSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { shippedNode } from "../../scripts/shipped-node.mjs"
import { bundleOf } from "./bundle.mjs"
import { makeCodeCache } from "./codeCache.mjs"

const outfile = "dist/filebatch.cjs"

const bundle = await bundleOf("src/bin.ts")
const key = createHash("sha256").update(bundle).digest("hex").slice(0, 16)

// `filebatch emulator` has a bundle of its own, so that no other command initialises a
// server at every start (~6 ms measured). It rides in a comment at the end of the file,
// read back only for that subcommand: V8 skips a comment far faster than it scans a
// string literal. esbuild writes ASCII, so characters are bytes; "*/", which a comment
// cannot hold, is written with a NUL in between (the bundle has none).
const emulatorBundle = await bundleOf("src/emulator.ts")
if (/[^\x00-\x7f]/.test(emulatorBundle) || emulatorBundle.includes("\0")) {
  throw new Error("the emulator bundle must be ASCII without NUL")
}
const emulatorPayload = emulatorBundle.replaceAll("*/", "*\0/")

// CommonJS, not ESM: the ESM loader costs ~6 ms more to load the launcher (measured).
const head = (emulatorStart) =>
  `#!/usr/bin/env node
"use strict"
const { createRequire } = require("node:module")
const { mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } = require("node:fs")
const { homedir } = require("node:os")
const { dirname, join } = require("node:path")
const { Script } = require("node:vm")
const filename = __filename
const wrap = (source) => "(function (exports, require, module, __filename, __dirname) {" + source + "\\n})"
const run = (compiled) => {
  const bundle = { exports: {} }
  compiled(bundle.exports, createRequire(filename), bundle, filename, dirname(filename))
}
if (process.argv[2] === "emulator") {
  const emulator = readFileSync(filename, "latin1").slice(${emulatorStart}, -4).replaceAll("*\\0/", "*/")
  run(new Script(wrap(emulator), { filename }).runInThisContext())
  return
}
const source = ${JSON.stringify(bundle)}
const cacheDir = process.env.FILEBATCH_COMPILE_CACHE === "0" ? undefined
  : join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "filebatch")
const cacheFile = cacheDir && join(cacheDir, "${key}-" + process.version + "-" + process.arch + ".v8")
let cachedData
if (cacheFile) try { cachedData = readFileSync(cacheFile) } catch {}
// No cache of the user's yet: the one made at build time, when this Node made it.
// (Accepted, it serves every run: the user's cache is only written when there is no usable one.)
if (cacheFile && cachedData === undefined) {
  try {
    cachedData = readFileSync(filename + ".${key}-" + process.version + "-" + process.arch + ".v8")
  } catch {}
}
const script = new Script(wrap(source), { filename, cachedData })
if (cacheFile && (cachedData === undefined || script.cachedDataRejected)) {
  process.once("exit", () => {
    try {
      mkdirSync(cacheDir, { recursive: true, mode: 0o700 })
      const temporary = cacheFile + "." + process.pid
      writeFileSync(temporary, script.createCachedData(), { mode: 0o600 })
      renameSync(temporary, cacheFile)
      // Caches of other versions of this file are dead weight: remove them.
      for (const name of readdirSync(cacheDir)) {
        if (name.endsWith(".v8") && !name.startsWith("${key}-")) unlinkSync(join(cacheDir, name))
      }
    } catch {}
  })
}
// No stack traces while the bundle's modules initialise: effect formats one at load
// time, which makes V8 index the lines of the whole bundle (~3 ms measured). Restored
// before anything runs that could need one.
const stackTraceLimit = Error.stackTraceLimit
Error.stackTraceLimit = 0
try {
  run(script.runInThisContext())
} finally {
  Error.stackTraceLimit = stackTraceLimit
}
`
// The head states where the emulator's bundle starts, which depends on the head's own
// length: iterate until it holds still.
let emulatorStart = 0
while (head(emulatorStart).length + 3 !== emulatorStart) emulatorStart = head(emulatorStart).length + 3
const launcher = `${head(emulatorStart)}/*\n${emulatorPayload}\n*/\n`
if (Buffer.byteLength(launcher) !== launcher.length) throw new Error("the launcher must be ASCII")

mkdirSync("dist", { recursive: true })
for (const name of readdirSync("dist")) if (name.endsWith(".v8")) unlinkSync(join("dist", name))
writeFileSync(outfile, launcher)
chmodSync(outfile, 0o755)

// The shipped cache, made by the Node filebatch ships (its image and executable run it): a first
// run on that Node uses it. Where that Node cannot be had (another platform, no registry), the
// one running the build makes it, and says so.
let cacheNode = process.execPath
try {
  cacheNode = shippedNode()
} catch (error) {
  console.warn(`code cache made for ${process.version}, not the shipped Node: ${error.message}`)
}
const cache = await makeCodeCache(cacheNode, outfile)
writeFileSync(`${outfile}.${cache.name}`, cache.data, { mode: 0o644 })
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`
console.log(
  `${outfile}: ${kib(statSync(outfile).size)} (bundle ${kib(bundle.length)}, emulator ${
    kib(emulatorBundle.length)
  }, cache key ${key}); code cache ${cache.name} ${kib(cache.data.length)}`
)
