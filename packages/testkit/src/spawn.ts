import { type ChildProcess, spawn } from "node:child_process"
import { eventually } from "./eventually.js"

/** A spawned program, its output so far (stdout and stderr together) and its end. */
export interface Spawned {
  readonly child: ChildProcess
  readonly output: () => string
  /** What it printed on stderr alone. */
  readonly stderr: () => string
  readonly exit: Promise<number | null>
  /** Resolves with the first match of `pattern` in the output; rejects if the program ends first. */
  readonly waitFor: (pattern: RegExp) => Promise<RegExpMatchArray>
  readonly stop: (signal?: NodeJS.Signals) => Promise<number | null>
}

/**
 * Runs `node script ...args` with only PATH and `env` in its environment. `killAfterMillis`
 * is a safety net: a program that never ends is killed then.
 */
export const spawnNode = (
  script: string,
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  killAfterMillis = 300_000
): Spawned => {
  const child = spawn(process.execPath, [script, ...args], {
    env: { PATH: process.env["PATH"] ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let output = ""
  let stderr = ""
  let ended = false
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()))
  child.stderr!.on("data", (chunk: Buffer) => {
    output += chunk.toString()
    stderr += chunk.toString()
  })
  // "close", not "exit": by then every byte it printed has been read.
  const exit = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)))
  const killer = setTimeout(() => child.kill("SIGKILL"), killAfterMillis)
  void exit.then(() => {
    ended = true
    clearTimeout(killer)
  })
  const waitFor = (pattern: RegExp) =>
    eventually(`${pattern} in the output of ${script}`, () => {
      const match = output.match(pattern)
      if (match !== null) return match
      if (ended) throw new Error(`${script} exited before printing ${pattern}:\n${output}`)
      return undefined
    }, { timeoutMillis: killAfterMillis })
  return {
    child,
    output: () => output,
    stderr: () => stderr,
    exit,
    waitFor,
    stop: (signal = "SIGTERM") => {
      child.kill(signal)
      return exit
    }
  }
}

/** What a program that ran to its end printed. */
export interface Ran {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  readonly millis: number
}

/** Runs `node script ...args` to its end with `stdin` as its input. */
export const runNode = (
  script: string,
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  stdin = "",
  killAfterMillis = 120_000
): Promise<Ran> =>
  runProgram(process.execPath, [script, ...args], { PATH: process.env["PATH"] ?? "", ...env }, stdin, killAfterMillis)

/** Runs `program ...args` to its end with exactly `env` as its environment (no PATH unless given). */
export const runProgram = (
  program: string,
  args: ReadonlyArray<string>,
  env: Record<string, string>,
  stdin = "",
  killAfterMillis = 120_000
): Promise<Ran> =>
  new Promise((resolve, reject) => {
    const started = Date.now()
    const child = spawn(program, args, { env, stdio: ["pipe", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    const timer = setTimeout(() => child.kill("SIGKILL"), killAfterMillis)
    child.on("error", reject)
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr, millis: Date.now() - started })
    })
    child.stdin.end(stdin)
  })
