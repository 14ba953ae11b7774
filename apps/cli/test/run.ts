import { spawn } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

export const bundle = fileURLToPath(new URL("../dist/filebatch.cjs", import.meta.url))
const cacheHome = mkdtempSync(join(tmpdir(), "filebatch-cli-test-"))

export interface RunResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  readonly millis: number
}

/** Runs the bundled CLI as a child process with only the given environment. */
export const runCli = (
  args: ReadonlyArray<string>,
  env: Record<string, string> = {},
  stdin?: string
): Promise<RunResult> =>
  new Promise((resolve, reject) => {
    const started = Date.now()
    const child = spawn(process.execPath, [bundle, ...args], {
      env: { PATH: process.env["PATH"] ?? "", XDG_CACHE_HOME: cacheHome, ...env },
      stdio: ["pipe", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000)
    child.on("error", reject)
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr, millis: Date.now() - started })
    })
    child.stdin.end(stdin ?? "")
  })
