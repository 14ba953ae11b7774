// Bundles the CLI into one file, dist/filebatch.mjs, and reports its size.
//
// Start-up is most of a one-shot command's time, and compiling a 1 MiB bundle is most
// of start-up (measured in bench/startup.mjs). So the file is a small launcher with the
// bundle embedded as a string: it compiles it with node:vm and keeps V8's code cache
// in the user's cache folder (what Node 22's module.enableCompileCache does; Node 20
// has no such switch). The first run compiles as usual; later runs skip compilation.
// FILEBATCH_COMPILE_CACHE=0 turns the cache off.
import { build } from "esbuild"
import { createHash } from "node:crypto"
import { chmodSync, mkdirSync, statSync, writeFileSync } from "node:fs"

const outfile = "dist/filebatch.mjs"

// The CLI talks through node:http (NodeHttpClient.layer). @effect/platform-node's
// NodeHttpClient module also imports undici for its other layers, only inside
// functions the CLI never calls; bundling undici would add ~0.5 MiB to parse and run
// at every start, so it is replaced by an empty module that throws if ever used.
const withoutUndici = {
  name: "without-undici",
  setup(build) {
    build.onResolve({ filter: /^undici$/ }, () => ({ path: "undici", namespace: "stub" }))
    build.onLoad({ filter: /.*/, namespace: "stub" }, () => ({
      contents: "const missing = () => { throw new Error('undici is not bundled in the filebatch CLI') };" +
        "module.exports = { Agent: missing, getGlobalDispatcher: missing };",
      loader: "js"
    }))
  }
}

const result = await build({
  entryPoints: ["src/bin.ts"],
  bundle: true,
  write: false,
  platform: "node",
  format: "cjs",
  target: "node20",
  minify: true,
  treeShaking: true,
  conditions: ["@filebatch/source"],
  legalComments: "none",
  logLevel: "warning",
  plugins: [withoutUndici]
})
const bundle = result.outputFiles[0].text
const key = createHash("sha256").update(bundle).digest("hex").slice(0, 16)

const launcher = `#!/usr/bin/env node
import { createRequire } from "node:module"
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs"
import { homedir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { Script } from "node:vm"
const filename = fileURLToPath(import.meta.url)
const source = ${JSON.stringify(bundle)}
const cacheDir = process.env.FILEBATCH_COMPILE_CACHE === "0" ? undefined
  : join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "filebatch")
const cacheFile = cacheDir && join(cacheDir, "${key}-" + process.version + "-" + process.arch + ".v8")
let cachedData
if (cacheFile) try { cachedData = readFileSync(cacheFile) } catch {}
const script = new Script("(function (exports, require, module, __filename, __dirname) {" + source + "\\n})", { filename, cachedData })
if (cacheFile && (cachedData === undefined || script.cachedDataRejected)) {
  process.once("exit", () => {
    try {
      mkdirSync(cacheDir, { recursive: true, mode: 0o700 })
      const temporary = cacheFile + "." + process.pid
      writeFileSync(temporary, script.createCachedData(), { mode: 0o600 })
      renameSync(temporary, cacheFile)
    } catch {}
  })
}
const module = { exports: {} }
script.runInThisContext()(module.exports, createRequire(filename), module, filename, dirname(filename))
`

mkdirSync("dist", { recursive: true })
writeFileSync(outfile, launcher)
chmodSync(outfile, 0o755)
const kib = (bytes) => `${(bytes / 1024).toFixed(1)} KiB`
console.log(`${outfile}: ${kib(statSync(outfile).size)} (bundle ${kib(Buffer.byteLength(bundle))}, cache key ${key})`)
