/** A real `redis-server` per test: loopback, a free port, no persistence, stopped afterwards. */
import type { ChildProcess } from "node:child_process"
import { freePort, launchRedis } from "./redisServer.js"

export { haveRedis } from "./redisServer.js"

export interface RunningRedis {
  readonly port: number
  readonly url: string
  /** Kills the server (SIGKILL: an outage, not a shutdown) and waits for it to be gone. */
  readonly kill: () => Promise<void>
  /** Starts it again on the same port, empty. */
  readonly restart: () => Promise<void>
  readonly stop: () => Promise<void>
}

const ended = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once("exit", () => resolve())
  })

export const startRedis = async (): Promise<RunningRedis> => {
  const port = await freePort()
  let child = await launchRedis(port)
  const kill = async () => {
    child.kill("SIGKILL")
    await ended(child)
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    kill,
    restart: async () => {
      child = await launchRedis(port)
    },
    stop: kill
  }
}
