// Shared helpers of the benchmarks: child processes that announce their URL, the canned
// upstream (for throughput and cost) and the emulator (for behaviour), CPU time of a
// process, medians, and result files.
import { freePort, haveRedis, launchRedis } from "@filebatch/testkit/redisServer"
import { spawn, spawnSync } from "node:child_process"
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { cpus } from "node:os"
import { fileURLToPath } from "node:url"
import { Agent, request } from "undici"

export const here = (path) => fileURLToPath(new URL(path, import.meta.url))
export const emulatorBin = here("../packages/emulator/dist/bin.js")
export const proxyBundle = here("../apps/proxy/dist/proxy.mjs")
export const upstreamKey = "sk-bench-upstream"
export const clientKey = "sk-bench-client"
export const machine = `node ${process.version}, ${cpus()[0]?.model ?? "cpu"} ×${cpus().length}`

/**
 * Starts a process (`node args`, with this Node unless `node` names another) and resolves once a
 * stdout line matches `pattern` (its first group is the URL).
 */
export const start = (args, env, pattern, node = process.execPath) =>
  new Promise((resolve, reject) => {
    const child = spawn(node, args, {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "inherit"]
    })
    let output = ""
    const onData = (chunk) => {
      output += chunk
      const match = output.match(pattern)
      if (match) {
        child.stdout.off("data", onData)
        child.stdout.resume()
        resolve({
          child,
          url: match[1],
          stop: () => new Promise((done) => (child.once("exit", done), child.kill("SIGTERM")))
        })
      }
    }
    child.stdout.on("data", onData)
    child.once("exit", (code) => reject(new Error(`${args[0]} exited (${code}): ${output}`)))
  })

/** The canned node:http upstream (bench/upstream.mjs): answers as fast as node:http can. */
export const startUpstream = () =>
  start([here("./upstream.mjs")], { UPSTREAM_KEY: upstreamKey }, /listening on (http:\/\/\S+)/).then((upstream) => ({
    ...upstream,
    url: `${upstream.url}/v1`
  }))

/** A batch reference for the canned upstream, which answers for any IDs. */
export const cannedRef = { vectorStoreId: "vs_bench", batchId: "vsfb_bench" }

/**
 * A cancel of the canned batch by core's `cancelFileBatch` (retry policy and validation on),
 * through a runtime of core over `http` (@filebatch/undici's client unless given). Loaded on
 * use, so that a benchmark of raw undici alone does not carry Effect.
 */
export const coreCancel = async (baseUrl, http) => {
  const { cancelFileBatch, FileBatchClient, FileBatchConfig } = await import("@filebatch/core")
  const { Layer, ManagedRuntime } = await import("effect")
  const client = http ?? (await import("@filebatch/undici")).UndiciHttpClient.layer()
  const runtime = ManagedRuntime.make(FileBatchClient.layer.pipe(
    Layer.provide(FileBatchConfig.layer({ apiKey: upstreamKey, baseUrl })),
    Layer.provide(client)
  ))
  return () => runtime.runPromise(cancelFileBatch(cannedRef))
}

/** The URL of the canned batch's cancel under `baseUrl` (…/v1). */
export const cannedCancelUrl = (baseUrl) =>
  `${baseUrl}/vector_stores/${cannedRef.vectorStoreId}/file_batches/${cannedRef.batchId}/cancel`

/** The same cancel by raw undici + `JSON.parse` over `connections`: the floor of a client. */
export const rawUndiciCancel = (baseUrl, connections) => {
  const dispatcher = new Agent({ connections })
  const url = cannedCancelUrl(baseUrl)
  return async () => {
    const response = await request(url, {
      method: "POST",
      dispatcher,
      headers: { authorization: `Bearer ${upstreamKey}` }
    })
    return JSON.parse(await response.body.text())
  }
}

/** CPU time (user + system, all threads) a process has used so far, in microseconds, from /proc. */
export const cpuMicrosOf = (pid) => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  const ticks = Number(fields[11]) + Number(fields[12])
  return (ticks * 1e6) / clockTicksPerSecond
}
const clockTicksPerSecond = 100

/** The CPU time of `pids` while `work` runs, in microseconds, beside what `work` returns. */
export const withCpu = async (pids, work) => {
  const before = pids.map(cpuMicrosOf)
  const result = await work()
  const micros = pids.reduce((sum, pid, i) => sum + cpuMicrosOf(pid) - before[i], 0)
  return { result, micros }
}

export const startEmulator = (extra = []) =>
  start(
    [emulatorBin, "--port", "0", "--key", upstreamKey, "--file-ms", "100000000", "--poll-after-ms", "0", ...extra],
    {},
    /listening on (http:\/\/\S+)/
  )

/**
 * The proxy in front of `upstreamUrl`; `args` replace the bundled file (node flags, another
 * build); `node`, another Node to run it.
 */
export const startProxy = async (upstreamUrl, env = {}, args = [proxyBundle], node = process.execPath) => {
  const { createHash } = await import("node:crypto")
  const { mkdtempSync } = await import("node:fs")
  const { tmpdir } = await import("node:os")
  const { join } = await import("node:path")
  return start(
    args,
    {
      // Each replica its own audit spool (with Redis), as in a deployment.
      FILEBATCH_PROXY_AUDIT_SPOOL: join(mkdtempSync(join(tmpdir(), "filebatch-bench-spool-")), "audit-spool.jsonl"),
      PORT: "0",
      OPENAI_API_KEY: upstreamKey,
      OPENAI_BASE_URL: upstreamUrl,
      FILEBATCH_PROXY_KEYS: JSON.stringify([
        { name: "bench", sha256: createHash("sha256").update(clientKey).digest("hex"), vectorStores: "*" }
      ]),
      FILEBATCH_PROXY_MAX_QUEUE: "100000",
      ...env
    },
    /"message":"listening".*?"url":"(http:\/\/[^"]+)"/,
    node
  )
}

/** Creates a vector store and a batch on the emulator. */
export const seedBatch = async (apiUrl, files = 1) => {
  const call = async (path, body) =>
    (await fetch(`${apiUrl}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${upstreamKey}`, "content-type": "application/json" },
      body: JSON.stringify(body)
    })).json()
  const store = await call("/vector_stores", {})
  const batch = await call(`/vector_stores/${store.id}/file_batches`, {
    file_ids: Array.from({ length: files }, (_, i) => `file-${i}`)
  })
  return { vectorStoreId: store.id, batchId: batch.id }
}

/**
 * Cold runs: each subject (`{ name, args, env? }`, `env` an object or a function making one
 * per run, `baseEnv` otherwise) as a new node process run to success, once to warm up (the
 * OS file cache, a code cache), then in `rounds` interleaved rounds. Wall times in ms, by name.
 */
export const interleavedColdRuns = (subjects, rounds, baseEnv = process.env) => {
  const time = (subject) => {
    const env = typeof subject.env === "function" ? subject.env() : subject.env ?? baseEnv
    const started = process.hrtime.bigint()
    // `program`: an executable of its own (the standalone CLI); else the args go to node.
    const result = spawnSync(subject.program ?? process.execPath, subject.args, {
      env,
      stdio: ["ignore", "pipe", "pipe"]
    })
    const millis = Number(process.hrtime.bigint() - started) / 1e6
    if (result.status !== 0) throw new Error(`${subject.name} failed: ${result.stderr}`)
    return millis
  }
  for (const subject of subjects) time(subject)
  const samples = Object.fromEntries(subjects.map((subject) => [subject.name, []]))
  for (let round = 0; round < rounds; round++) {
    for (const subject of subjects) samples[subject.name].push(time(subject))
  }
  return samples
}

export const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

export const writeResult = (name, result) => {
  mkdirSync(here("./results"), { recursive: true })
  writeFileSync(
    here(`./results/${name}.json`),
    JSON.stringify({ date: new Date().toISOString(), machine, ...result }, null, 2)
  )
}

/**
 * A herd: `callers` concurrent identical cancels of one new batch, sent to `proxyUrls` in
 * turn, while the emulator takes 300 ms per cancel (so that the herd arrives while the
 * first call is in flight). Returns each status, how long it took and how many cancels
 * reached the emulator.
 */
export const runHerd = async (emulatorUrl, proxyUrls, callers) => {
  const ref = await seedBatch(emulatorUrl)
  const admin = emulatorUrl.replace(/\/v1$/, "")
  await fetch(`${admin}/__emulator/faults`, {
    method: "POST",
    body: JSON.stringify({ operation: "cancel", times: "always", fault: { kind: "latency", millis: 300 } })
  })
  await fetch(`${admin}/__emulator/requests`, { method: "DELETE" })
  const dispatcher = new Agent({ connections: callers })
  const path = `/v1/vector_stores/${ref.vectorStoreId}/file_batches/${ref.batchId}/cancel`
  const started = performance.now()
  const statuses = await Promise.all(Array.from({ length: callers }, async (_, i) => {
    const response = await request(`${proxyUrls[i % proxyUrls.length]}${path}`, {
      method: "POST",
      dispatcher,
      headers: { authorization: `Bearer ${clientKey}` }
    })
    await response.body.text()
    return response.statusCode
  }))
  const millis = Math.round(performance.now() - started)
  await dispatcher.close()
  const log = await (await fetch(`${admin}/__emulator/requests`)).json()
  return { statuses, millis, upstreamCalls: log.filter((entry) => entry.operation === "cancel").length }
}

/** The processes `pid` started (a proxy's workers), from /proc. */
export const childrenOf = (pid) =>
  readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number)

/** The testkit's redis-server on a free loopback port; undefined when it is not installed. */
export const startRedis = async () => {
  if (!haveRedis) return undefined
  const port = await freePort()
  const child = await launchRedis(port)
  return {
    url: `redis://127.0.0.1:${port}/0`,
    stop: () => new Promise((done) => (child.once("exit", done), child.kill("SIGKILL")))
  }
}
