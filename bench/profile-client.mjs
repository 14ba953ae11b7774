// Where a client's CPU per cancel goes: `cancelFileBatch` over @filebatch/undici (retry
// policy and schema validation on) beside raw undici + JSON.parse, each in a process of
// its own under `--cpu-prof`, cancels at concurrency 64 against the canned upstream for
// SECONDS (10 by default), split into parts in µs per cancel (bench/profileParts.mjs).
// Not part of `pnpm bench`: `node bench/profile-client.mjs`.
import { spawn } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { coreCancel, here, machine, rawUndiciCancel, startUpstream } from "./common.mjs"
import { cpuParts, moduleOfUrl, printParts } from "./profileParts.mjs"

const seconds = Number(process.env.SECONDS ?? 10)
const concurrency = 64

/** In the child: cancels for `seconds`, then prints how many. */
const loop = async (subject, baseUrl) => {
  const call = subject === "raw undici" ? rawUndiciCancel(baseUrl, concurrency) : await coreCancel(baseUrl)
  const until = performance.now() + seconds * 1000
  let calls = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < until) {
      await call()
      calls++
    }
  }))
  console.log(JSON.stringify({ calls }))
  process.exit(0)
}

if (process.argv[2] === "--loop") {
  await loop(process.argv[3], process.argv[4])
} else {
  const upstream = await startUpstream()
  const work = mkdtempSync(join(tmpdir(), "filebatch-profile-client-"))
  const profiled = (name) =>
    new Promise((resolve, reject) => {
      const dir = join(work, name.replace(/\W+/g, "-"))
      const child = spawn(process.execPath, [
        "--cpu-prof",
        `--cpu-prof-dir=${dir}`,
        "--cpu-prof-interval",
        "100",
        here("./profile-client.mjs"),
        "--loop",
        name,
        upstream.url
      ], { stdio: ["ignore", "pipe", "inherit"] })
      let output = ""
      child.stdout.on("data", (chunk) => (output += chunk))
      child.on("close", (status) => {
        if (status !== 0) return reject(new Error(`${name} exited with ${status}`))
        resolve({
          name,
          calls: JSON.parse(output).calls,
          micros: cpuParts(dir, (frame) => frame.url.startsWith("file:") ? moduleOfUrl(frame.url) : "")
        })
      })
    })
  const core = await profiled("cancelFileBatch")
  const raw = await profiled("raw undici")
  await upstream.stop()
  console.log(`CPU per cancel under --cpu-prof, ${seconds} s at concurrency ${concurrency} each, ${machine}`)
  printParts([core, raw])
  console.log(`cancels: cancelFileBatch ${core.calls}, raw undici ${raw.calls}`)
}
