// The README's main job: cancel a file batch with the bundled CLI and follow it until it stops, plan
// submitting the files it stopped again, then clean them up.
//
//   pnpm demo                          embedded emulator: a batch of 300 files, cancelled mid-flight
//   pnpm demo <vector_store_id> <batch_id>   with OPENAI_API_KEY set: the same against the real API
import { spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const cli = fileURLToPath(new URL("../apps/cli/dist/filebatch.cjs", import.meta.url))
const [vectorStoreId, batchId] = process.argv.slice(2)
// The IDs of the files the cancel stopped (or that failed), ready to submit again.
const report = join(mkdtempSync(join(tmpdir(), "filebatch-demo-")), "files-not-completed.txt")

const run = (args, env) =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: "inherit", env: { ...process.env, ...env } })
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)))
  })

if (process.env.OPENAI_API_KEY && vectorStoreId && batchId) {
  console.error(`Cancelling ${batchId} in ${vectorStoreId} on ${process.env.OPENAI_BASE_URL ?? "the OpenAI API"}…`)
  process.exit(await run(["cancel", vectorStoreId, batchId, "--wait", "--report", report], {}))
}
if (vectorStoreId || batchId) {
  console.error("Give both IDs, with OPENAI_API_KEY set, to cancel a real batch; running the emulator demo instead.")
}

// A key made up for this run only.
const key = `sk-demo-${randomBytes(12).toString("hex")}`
const emulator = spawn(process.execPath, [
  cli,
  "emulator",
  "--port",
  "0",
  "--key",
  key,
  "--file-ms",
  "40",
  "--parallelism",
  "6",
  "--cancel-delay-ms",
  "1500",
  "--poll-after-ms",
  "250",
  // Batch time held: the state the demo shows is made, not raced (a busy machine is slow to start the CLI).
  "--hold"
], { stdio: ["ignore", "pipe", "inherit"] })
const stopEmulator = () =>
  new Promise((resolve) => {
    if (emulator.exitCode !== null) return resolve()
    emulator.once("exit", resolve)
    emulator.kill("SIGTERM")
  })
process.once("SIGINT", () => stopEmulator().then(() => process.exit(130)))

const url = await new Promise((resolve, reject) => {
  let output = ""
  emulator.stdout.on("data", (chunk) => {
    output += chunk
    const match = output.match(/listening on (http:\/\/\S+)/)
    if (match) resolve(match[1])
  })
  emulator.once("exit", (code) => reject(new Error(`the emulator exited (${code}) before listening`)))
})

const api = async (method, path, body, base = url) => {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body)
  })
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${await response.text()}`)
  return response.json()
}

const admin = (method, path, body) => api(method, path, body, url.replace(/\/v1$/, "/__emulator"))

/** Resolves once the emulator has answered the cancel of `id`, or the CLI has ended without sending it. */
const cancelAnswered = async (id, ended) => {
  for (;;) {
    const log = await admin("GET", "/requests")
    if (log.some((entry) => entry.operation === "cancel" && entry.batchId === id && typeof entry.status === "number")) {
      return true
    }
    if (ended()) return false
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

let code = 1
try {
  console.error(`Emulator at ${url}`)
  const store = await api("POST", "/vector_stores", { name: "filebatch demo" })
  const fileIds = Array.from({ length: 300 }, (_, i) => `file-demo${String(i).padStart(4, "0")}`)
  const batch = await api("POST", `/vector_stores/${store.id}/file_batches`, { file_ids: fileIds })
  console.error(`Created ${batch.id} with ${fileIds.length} files in ${store.id}; letting it run a moment…`)
  // 600 ms of batch time: about a third of the files done, the rest in progress until the cancel arrives.
  await admin("POST", "/progress", { advanceMillis: 600 })
  console.error(`$ filebatch cancel ${store.id} ${batch.id} --wait --report ${report}`)
  const env = { OPENAI_BASE_URL: url, OPENAI_API_KEY: key }
  let ended = false
  const cancelling = run(["cancel", store.id, batch.id, "--wait", "--report", report], env).finally(
    () => (ended = true)
  )
  // The cancel has met the batch in progress: batch time goes on, and the cancel takes effect.
  if (await cancelAnswered(batch.id, () => ended)) await admin("POST", "/progress", { hold: false })
  code = await cancelling
  if (code === 0) {
    // The files the cancel stopped: what submitting them again would send, planned and not sent.
    console.error(`$ filebatch resubmit ${store.id} --from ${report} --dry-run`)
    code = await run(["resubmit", store.id, "--from", report, "--dry-run"], env)
  }
  if (code === 0) {
    // Or cleaned up: the cancelled files detached from the store (the Files themselves are kept).
    console.error(`$ filebatch cleanup ${store.id} ${batch.id}`)
    code = await run(["cleanup", store.id, batch.id], env)
  }
} catch (error) {
  console.error(`demo failed: ${error.message}`)
} finally {
  await stopEmulator()
}
process.exit(code)
