import { describe, expect, it } from "@effect/vitest"
import { cliBundle as bundle } from "@filebatch/testkit"
import { spawn, spawnSync } from "node:child_process"

describe("filebatch emulator, from the bundle", () => {
  it("serves the API on loopback and stops cleanly on SIGTERM", async () => {
    const child = spawn(process.execPath, [bundle, "emulator", "--port", "0", "--key", "sk-emulated"], {
      env: { PATH: process.env["PATH"] ?? "" }
    })
    let output = ""
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString()
        const match = output.match(/listening on (http:\/\/\S+)/)
        if (match) resolve(match[1])
      })
      child.once("exit", (code) => reject(new Error(`exited ${code}: ${output}`)))
    })
    const created = await fetch(`${url}/vector_stores`, {
      method: "POST",
      headers: { authorization: "Bearer sk-emulated", "content-type": "application/json" },
      body: "{}"
    })
    expect(created.status).toBe(200)
    expect((await created.json() as { id: string }).id).toMatch(/^vs_/)
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve))
    child.kill("SIGTERM")
    expect(await exited).toBe(0)
  })

  it("has its own help, and is listed in the CLI's", () => {
    const own = spawnSync(process.execPath, [bundle, "emulator", "--help"], { encoding: "utf8" })
    expect(own.status).toBe(0)
    expect(own.stdout).toMatch(/^Usage: filebatch emulator \[flags\]$/m)
    expect(own.stdout).toMatch(/^ {2}--faults file +JSON file with a fault rule or an array of rules/m)
    expect(own.stdout).toMatch(/^ {2}--cancelling-status in_progress\|cancelling$/m)
    expect(own.stdout).toMatch(/^Exit codes: 0 stopped/m)
    const lines = own.stdout.trimEnd().split("\n")
    expect(lines.length).toBeLessThanOrEqual(30)
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(100)
    const top = spawnSync(process.execPath, [bundle, "--help"], { encoding: "utf8" })
    expect(top.stdout).toMatch(/^ {2}emulator +Serve a local OpenAI/m)
  })
})
