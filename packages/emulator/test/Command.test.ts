import { describe, expect, it } from "@effect/vitest"
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { createServer, type Server } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url))

interface Running {
  readonly child: ChildProcess
  readonly url: Promise<string>
  readonly exit: Promise<{ code: number | null; signal: string | null }>
  readonly output: () => string
}

const start = (args: Array<string>): Running => {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "pipe", "pipe"] })
  let output = ""
  const url = new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString()
      const match = output.match(/listening on (http:\/\/\S+)/)
      if (match) resolve(match[1])
    })
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()))
    child.on("exit", () => reject(new Error(`exited before listening: ${output}`)))
  })
  const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal }))
  )
  const timer = setTimeout(() => child.kill("SIGKILL"), 90_000)
  child.on("exit", () => clearTimeout(timer))
  return { child, url, exit, output: () => output }
}

describe("filebatch-emulator command", () => {
  it("starts on a free loopback port, serves, and stops cleanly on SIGTERM", async () => {
    const running = start(["--port", "0", "--key", "sk-cmd-test", "--file-ms", "5"])
    const url = await running.url
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/)
    const response = await fetch(`${url}/vector_stores`, {
      method: "POST",
      headers: { authorization: "Bearer sk-cmd-test" },
      body: "{}"
    })
    expect(response.status).toBe(200)
    running.child.kill("SIGTERM")
    expect((await running.exit).code).toBe(0)
  })

  it("arms a fault plan file, and still stops while a request hangs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "emulator-"))
    const plan = join(dir, "plan.json")
    writeFileSync(plan, JSON.stringify([{ operation: "create_vector_store", fault: { kind: "hang" } }]))
    const running = start(["--port", "0", "--faults", plan])
    const url = await running.url
    const hung = fetch(`${url}/vector_stores`, {
      method: "POST",
      headers: { authorization: "Bearer sk-filebatch-emulator" },
      body: "{}"
    }).then(() => "answered", () => "dropped")
    // Stop only once the hung request is known to be inside the server.
    const origin = url.replace(/\/v1$/, "")
    const pending = async () => {
      const log = await (await fetch(`${origin}/__emulator/requests`)).json() as Array<{ status: unknown }>
      return log.some((entry) => entry.status === "pending")
    }
    while (!(await pending())) await new Promise((resolve) => setTimeout(resolve, 20))
    running.child.kill("SIGINT")
    expect((await running.exit).code).toBe(0)
    expect(await hung).toBe("dropped")
  })

  it("rejects a bad setting or plan with one clear line and a non-zero exit", async () => {
    const ratio = start(["--port", "0", "--failure-ratio", "2"])
    ratio.url.catch(() => undefined)
    const ratioExit = await ratio.exit
    expect(ratioExit.code).not.toBe(0)
    expect(ratio.output()).toMatch(/failureRatio must be between 0 and 1/)
    expect(ratio.output()).not.toMatch(/\n\s+at /)

    const dir = mkdtempSync(join(tmpdir(), "emulator-"))
    const plan = join(dir, "plan.json")
    writeFileSync(plan, "{\"fault\": {\"kind\": \"nope\"}}")
    const bad = start(["--port", "0", "--faults", plan])
    bad.url.catch(() => undefined)
    expect((await bad.exit).code).not.toBe(0)
    // One line naming the problem and where it is, not the schema.
    expect(bad.output()).toBe(
      `filebatch-emulator: invalid fault plan ${plan}: fault.kind: Expected "status" | "latency" | "hang" | "hold" | ` +
        `"reset" | "truncate" | "non-json" | "content-type" | "drift", actual "nope"\n`
    )

    const taken = await new Promise<Server>((resolve) => {
      const server = createServer()
      server.listen(0, "127.0.0.1", () => resolve(server))
    })
    const port = (taken.address() as { port: number }).port
    const inUse = start(["--port", String(port)])
    inUse.url.catch(() => undefined)
    expect((await inUse.exit).code).toBe(1)
    expect(inUse.output()).toBe(`filebatch-emulator: cannot listen on 127.0.0.1:${port}: the address is in use\n`)
    taken.close()
  })
})
