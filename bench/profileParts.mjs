// Reading a `--cpu-prof` profile as parts of the work (kernel, node, undici, Effect's
// runtime, Schema, core, the proxy's own steps…), in µs per call or request: the "profile
// that says why" of the goals issue 14 could not reach. Used by bench/profile-client.mjs
// and apps/proxy/bench/profile.mjs.
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"

/** The package-relative module of a file URL: `effect/dist/esm/internal/core.js`, `packages/core/…`. */
export const moduleOfUrl = (url) =>
  url.replace(/^file:\/\//, "").replace(/.*node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?/, "").replace(
    /.*\/(packages\/|apps\/[^/]+\/)/,
    (_, dir) => dir.startsWith("apps/") ? "" : dir
  )

// In order: the first whose test matches a sample's function takes its time.
const parts = [
  [
    "kernel: socket reads and writes",
    (f) => f.url === "" && /^(writev|writeLatin1String|writeUtf8String|writeBuffer|onStreamRead)$/.test(f.name)
  ],
  ["garbage collection", (f) => f.name === "(garbage collector)"],
  ["proxy: key check (SHA-256)", (f) => /src\/ClientKeys\.ts$/.test(f.module) || f.url === "node:internal/crypto/hash"],
  ["node: http, streams, events, timers", (f) => f.url.startsWith("node:") || f.name === "parse"],
  ["undici", (f) => f.module.startsWith("undici/") || f.url.startsWith("wasm:")],
  ["@filebatch/undici (HttpClient over undici)", (f) => f.module.startsWith("packages/undici/")],
  ["Schema (decoding answers)", (f) => /^effect\/dist\/esm\/(Schema|ParseResult|SchemaAST)\.js$/.test(f.module)],
  ["Effect runtime (fibers, scheduler, context)", (f) => f.module.startsWith("effect/")],
  ["@effect/platform and experimental", (f) => f.module.startsWith("@effect/")],
  ["core (the call, retry policy, answer)", (f) => f.module.startsWith("packages/core/")],
  ["prom-client (metrics)", (f) => f.module.startsWith("prom-client/")],
  ["proxy: access log", (f) => /src\/(AccessLogger|internal\/accessLine)\.ts$/.test(f.module)],
  ["proxy: routing, IDs, gate, coalescing, answers", (f) => f.module.startsWith("src/")],
  ["other", () => true]
]

/**
 * CPU time by part, in µs, of the one profile in `dir`; `moduleOf(callFrame)` names the
 * source module of a frame of our code (or "" for node's and V8's own).
 */
export const cpuParts = (dir, moduleOf) => {
  const [name] = readdirSync(dir).filter((file) => file.endsWith(".cpuprofile"))
  const profile = JSON.parse(readFileSync(join(dir, name), "utf8"))
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]))
  const micros = new Map(parts.map(([part]) => [part, 0]))
  profile.samples.forEach((id, index) => {
    const { callFrame } = nodes.get(id)
    if (callFrame.functionName === "(idle)" || callFrame.functionName === "(program)") return
    const module = moduleOf(callFrame)
    const frame = { name: callFrame.functionName, url: module === "" ? callFrame.url : "", module }
    const [part] = parts.find(([, test]) => test(frame))
    micros.set(part, micros.get(part) + (profile.timeDeltas[index] ?? 0))
  })
  return micros
}

/** Prints parts side by side, each subject's µs divided by its calls; parts under 0.5 µs everywhere are left out. */
export const printParts = (subjects) => {
  const perCall = (subject, part) => subject.micros.get(part) / subject.calls
  console.log(
    "part".padEnd(48) + subjects.map((s) => `${s.name} µs`.padStart(Math.max(12, s.name.length + 5))).join("")
  )
  const row = (label, value) =>
    console.log(
      label.padEnd(48) + subjects.map((s) => value(s).toFixed(1).padStart(Math.max(12, s.name.length + 5))).join("")
    )
  for (const [part] of parts) {
    if (subjects.every((subject) => perCall(subject, part) < 0.5)) continue
    row(part, (subject) => perCall(subject, part))
  }
  row("total", (subject) => parts.reduce((sum, [part]) => sum + perCall(subject, part), 0))
}
