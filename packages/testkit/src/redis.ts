/** A real `redis-server` per test: loopback, a free port, no persistence, stopped afterwards. */
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { createServer } from "node:net"
import { eventually } from "./eventually.js"

/** Whether `redis-server` can be run here (`.ci/run` installs it when missing). */
export const haveRedis = spawnSync("redis-server", ["--version"]).status === 0

export interface RunningRedis {
  readonly port: number
  readonly url: string
  /** Kills the server (SIGKILL: an outage, not a shutdown) and waits for it to be gone. */
  readonly kill: () => Promise<void>
  /** Starts it again on the same port, empty. */
  readonly restart: () => Promise<void>
  readonly stop: () => Promise<void>
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

const launch = async (port: number): Promise<ChildProcess> => {
  const child = spawn("redis-server", [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    "--protected-mode",
    "yes"
  ], { stdio: ["ignore", "pipe", "pipe"] })
  let output = ""
  let exited = false
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()))
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()))
  child.once("exit", () => (exited = true))
  await eventually(`redis-server on port ${port}`, () => {
    if (exited) throw new Error(`redis-server exited:\n${output}`)
    return output.includes("Ready to accept connections")
  })
  return child
}

const ended = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once("exit", () => resolve())
  })

export const startRedis = async (): Promise<RunningRedis> => {
  const port = await freePort()
  let child = await launch(port)
  const kill = async () => {
    child.kill("SIGKILL")
    await ended(child)
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    kill,
    restart: async () => {
      child = await launch(port)
    },
    stop: kill
  }
}
