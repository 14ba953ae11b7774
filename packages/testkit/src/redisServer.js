// A redis-server process on loopback, without persistence: the one the tests (src/redis.ts)
// and the benchmarks (bench/common.mjs) both start. Plain JavaScript, with its types in
// redisServer.d.ts, because the benchmarks run on node without TypeScript.
import { spawn, spawnSync } from "node:child_process"
import { createServer } from "node:net"

/** Whether `redis-server` can be run here (`.ci/run` installs it when missing). */
export const haveRedis = spawnSync("redis-server", ["--version"]).status === 0

/** A loopback port free right now. */
export const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })

/**
 * Starts redis-server on `port`, resolving with its process once it accepts connections; with
 * `appendOnlyDir`, every write is logged there (AOF, fsync always) and a restart keeps the data.
 */
export const launchRedis = (port, appendOnlyDir) =>
  new Promise((resolve, reject) => {
    const persistence = appendOnlyDir === undefined
      ? ["--appendonly", "no"]
      : ["--appendonly", "yes", "--appendfsync", "always", "--dir", appendOnlyDir]
    const child = spawn("redis-server", [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      ...persistence,
      "--protected-mode",
      "yes"
    ], { stdio: ["ignore", "pipe", "pipe"] })
    let output = ""
    child.stderr.on("data", (chunk) => (output += chunk))
    child.stdout.on("data", (chunk) => {
      output += chunk
      if (output.includes("Ready to accept connections")) resolve(child)
    })
    child.once("exit", (code) => reject(new Error(`redis-server exited (${code}):\n${output}`)))
  })
