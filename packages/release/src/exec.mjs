// Running programs for the release check: output collected, a clear error on failure, and a
// time limit as a safety net far above what any step takes.
import { spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

const packageManager = JSON.parse(
  readFileSync(fileURLToPath(new URL("../../../package.json", import.meta.url)), "utf8")
).packageManager

/** Runs `command args`; rejects on a non-zero exit unless `allowFailure`. */
export const run = (command, args, options = {}) =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.stderr.on("data", (chunk) => (stderr += chunk))
    const limit = setTimeout(() => child.kill("SIGKILL"), options.timeoutMillis ?? 600_000)
    child.on("error", reject)
    child.on("close", (code, signal) => {
      clearTimeout(limit)
      if (code === 0 || options.allowFailure) return resolve({ code, stdout, stderr })
      reject(new Error(`${command} ${args.join(" ")} exited ${code ?? signal}:\n${stdout}${stderr}`))
    })
  })

/** pnpm at the version the repository pins, without a global install. */
export const pnpm = (args, options) => run("npx", ["-y", packageManager, ...args], options)

/** Starts a long-running program; `output()` so far, `waitFor(pattern)`, `stop()`. */
export const start = (command, args, options = {}) => {
  // A group of its own: npx runs the program as its child, and a stop must reach both.
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true
  })
  let output = ""
  let ended = false
  child.stdout.on("data", (chunk) => (output += chunk))
  child.stderr.on("data", (chunk) => (output += chunk))
  const exit = new Promise((resolve) => child.on("close", (code) => ((ended = true), resolve(code))))
  const waitFor = (pattern, timeoutMillis = 120_000) =>
    new Promise((resolve, reject) => {
      const deadline = Date.now() + timeoutMillis
      const poll = () => {
        const match = output.match(pattern)
        if (match !== null) return resolve(match)
        if (ended || Date.now() > deadline) {
          return reject(new Error(`${command} ${ended ? "ended" : "went on"} without printing ${pattern}:\n${output}`))
        }
        setTimeout(poll, 50)
      }
      poll()
    })
  return {
    output: () => output,
    waitFor,
    stop: () => {
      if (!ended) {
        try {
          process.kill(-child.pid, "SIGTERM")
        } catch {
          // The group is gone already.
        }
      }
      return exit
    }
  }
}
