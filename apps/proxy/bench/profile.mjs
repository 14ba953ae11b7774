// Where the proxy's CPU per request goes, beside the bare passthrough's (issue 14: "where
// a goal cannot be reached, show the profile that says why"). Builds an unminified bundle
// (so that each function can be traced to its source module), runs the proxy and the
// passthrough under `--cpu-prof` against the canned upstream at 32 connections, and
// splits each one's CPU time into parts, in µs per request. Not part of `pnpm bench`
// (profiling slows both subjects down by a similar share); run it alone:
// `node apps/proxy/bench/profile.mjs` (SECONDS=10 by default).
import autocannon from "autocannon"
import { spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { cannedRef, clientKey, machine, start, startProxy, startUpstream, upstreamKey } from "../../../bench/common.mjs"
import { cpuParts, moduleOfUrl, printParts } from "../../../bench/profileParts.mjs"

const here = (path) => fileURLToPath(new URL(path, import.meta.url))
const seconds = Number(process.env.SECONDS ?? 10)
const work = mkdtempSync(join(tmpdir(), "filebatch-profile-"))
const bundle = join(work, "proxy.mjs")
const built = spawnSync(process.execPath, ["build.mjs"], {
  cwd: here(".."),
  env: { ...process.env, NO_MINIFY: "1", FILEBATCH_BUILD_OUTFILE: bundle },
  encoding: "utf8"
})
if (built.status !== 0) throw new Error(`build failed: ${built.stderr}`)

/** The source module of each line of the unminified bundle, from esbuild's `// path` comments. */
const modules = []
let current = "?"
for (const line of readFileSync(bundle, "utf8").split("\n")) {
  const comment = line.match(/^\/\/ (\S+\.(?:js|ts|mjs|cjs))$/)
  if (comment) current = moduleOfUrl(comment[1])
  modules.push(current)
}

const moduleOf = (callFrame) =>
  callFrame.url.endsWith(bundle) && callFrame.lineNumber >= 0 ? modules[callFrame.lineNumber] ?? "?" : ""

const path = `/v1/vector_stores/${cannedRef.vectorStoreId}/file_batches/${cannedRef.batchId}`
const load = (url, key) =>
  new Promise((resolve, reject) =>
    autocannon(
      { url: `${url}${path}`, headers: { authorization: `Bearer ${key}` }, duration: seconds, connections: 32 },
      (error, result) => (error ? reject(error) : resolve(result))
    )
  )

const profiled = async (name, launch, key) => {
  const dir = join(work, name)
  const subject = await launch(["--cpu-prof", `--cpu-prof-dir=${dir}`, "--cpu-prof-interval", "100"])
  const result = await load(subject.url, key)
  await subject.stop()
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${name}: ${result.non2xx} non-2xx, ${result.errors} errors`)
  }
  return { name, calls: result.requests.total, micros: cpuParts(dir, moduleOf) }
}

const upstream = await startUpstream()
const origin = upstream.url.replace(/\/v1$/, "")
const passthrough = await profiled(
  "passthrough",
  (flags) =>
    start(
      [...flags, here("./passthrough.mjs")],
      { UPSTREAM: origin, OPENAI_API_KEY: upstreamKey },
      /listening on (http:\/\/\S+)/
    ),
  upstreamKey
)
const proxy = await profiled("proxy", (flags) => startProxy(upstream.url, {}, [...flags, bundle]), clientKey)
await upstream.stop()
if (process.env.KEEP) console.log(`profiles kept in ${work}`)

console.log(`CPU per request under --cpu-prof, ${seconds} s at 32 connections each, ${machine}`)
printParts([proxy, passthrough])
console.log(`requests: proxy ${proxy.calls}, passthrough ${passthrough.calls}`)
