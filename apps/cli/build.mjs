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
import { spawn } from "node:child_process"
import { createHash } from "node:crypto"
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync
} from "node:fs"
import { createServer } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { bundleOf } from "./bundle.mjs"

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

// The shipped cache: what one run of a cancel (against a stub answering like OpenAI)
// leaves in an empty cache folder, i.e. the functions a command compiles.
const stub = createServer((request, response) => {
  request.resume()
  response.writeHead(200, { "content-type": "application/json" })
  response.end(JSON.stringify({
    id: "vsfb_build",
    object: "vector_store.files_batch",
    created_at: 0,
    vector_store_id: "vs_build",
    status: "cancelling",
    file_counts: { in_progress: 1, completed: 0, failed: 0, cancelled: 0, total: 1 }
  }))
})
await new Promise((resolve) => stub.listen(0, "127.0.0.1", resolve))
const cacheHome = mkdtempSync(join(tmpdir(), "filebatch-build-cache-"))
const made = await new Promise((resolve) => {
  const child = spawn(process.execPath, [outfile, "cancel", "vs_build", "vsfb_build"], {
    env: {
      PATH: process.env.PATH ?? "",
      XDG_CACHE_HOME: cacheHome,
      OPENAI_API_KEY: "sk-build",
      OPENAI_BASE_URL: `http://127.0.0.1:${stub.address().port}/v1`
    },
    stdio: ["ignore", "ignore", "pipe"]
  })
  let stderr = ""
  child.stderr.on("data", (chunk) => (stderr += chunk))
  child.on("close", (status) => resolve({ status, stderr }))
})
stub.close()
if (made.status !== 0) throw new Error(`the build's cancel run failed: ${made.stderr}`)
const [cache] = readdirSync(join(cacheHome, "filebatch"))
copyFileSync(join(cacheHome, "filebatch", cache), `${outfile}.${cache}`)
chmodSync(`${outfile}.${cache}`, 0o644)
rmSync(cacheHome, { recursive: true })
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`
console.log(
  `${outfile}: ${kib(statSync(outfile).size)} (bundle ${kib(bundle.length)}, emulator ${
    kib(emulatorBundle.length)
  }, cache key ${key}); code cache for ${process.version} ${kib(statSync(`${outfile}.${cache}`).size)}`
)
