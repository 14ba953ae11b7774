/**
 * A real `redis-server` per test: loopback, a free port, stopped afterwards; no persistence
 * unless asked for (an append-only log in a folder of its own, removed when it stops).
 */
import type { ChildProcess } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { freePort, launchRedis } from "./redisServer.js"

export { haveRedis } from "./redisServer.js"

export interface RunningRedis {
  readonly port: number
  readonly url: string
  /** Kills the server (SIGKILL: an outage, not a shutdown) and waits for it to be gone. */
  readonly kill: () => Promise<void>
  /** Starts it again on the same port: empty, or with what its append-only log kept. */
  readonly restart: () => Promise<void>
  readonly stop: () => Promise<void>
}

const ended = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once("exit", () => resolve())
  })

export const startRedis = async (options: { readonly appendOnly?: boolean } = {}): Promise<RunningRedis> => {
  const port = await freePort()
  const folder = options.appendOnly === true ? mkdtempSync(join(tmpdir(), "filebatch-redis-")) : undefined
  let child = await launchRedis(port, folder)
  const kill = async () => {
    child.kill("SIGKILL")
    await ended(child)
  }
  return {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    kill,
    restart: async () => {
      child = await launchRedis(port, folder)
    },
    stop: async () => {
      await kill()
      if (folder !== undefined) rmSync(folder, { recursive: true, force: true })
    }
  }
}
