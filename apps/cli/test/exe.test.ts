/**
 * The standalone executable (`pnpm build:exe`), built here from the sources and run with an
 * empty environment (no `node` on any PATH): it answers as the bundled file does — version,
 * a cancel followed to its end, and the exit status of each kind of fault.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { cliBundle, runCli, type RunningEmulator, runProgram, seedBatch, startEmulator } from "@filebatch/testkit"
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

const key = "sk-exe-test-SECRET-4411"
const folder = mkdtempSync(join(tmpdir(), "filebatch-exe-test-"))
const exe = join(folder, "filebatch")
const version = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string })
  .version
const shippedNode = (JSON.parse(readFileSync(new URL("../../../shipped-node.json", import.meta.url), "utf8")) as {
  version: string
}).version
let upstream: RunningEmulator

beforeAll(() => {
  execFileSync(process.execPath, ["build-exe.mjs", exe], {
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    stdio: "pipe"
  })
  // Files take a minute each: a cancel always finds them in progress, and ends them 50 ms later.
  return startEmulator({ keys: [key], fileMillis: 60_000, cancelDelayMillis: 50 }).then((started) => {
    upstream = started
  })
})

afterAll(async () => {
  await upstream?.close()
  rmSync(folder, { recursive: true, force: true })
})

/** The executable with nothing in its environment but what is given. */
const runExe = (args: Array<string>, env: Record<string, string> = {}) => runProgram(exe, args, env)

describe("the standalone executable", () => {
  it("prints its version with an empty environment, and nothing on stderr", async () => {
    const [ran, fromBundle] = await Promise.all([runExe(["--version"]), runCli(["--version"])])
    expect(ran.code).toBe(0)
    expect(ran.stdout).toBe(`${version}\n`)
    expect(ran.stdout).toBe(fromBundle.stdout)
    expect(ran.stderr).toBe("")
  })

  it("embeds the shipped Node (shipped-node.json), whichever Node built it, and names it", async () => {
    const ran = await runExe(["--version", "--verbose"])
    expect(ran.stdout).toBe(`filebatch ${version}\nnode v${shippedNode} linux-x64 (inside this executable)\n`)
  })

  it("cancels a batch and follows it to its end, as the bundled file does", async () => {
    const { batchId, vectorStoreId } = await seedBatch(upstream.emulator, 40)
    const env = { OPENAI_API_KEY: key, OPENAI_BASE_URL: upstream.emulator.url }
    const ran = await runExe(["cancel", vectorStoreId, batchId, "--wait", "--json"], env)
    expect(ran.stderr).toBe("")
    expect(ran.code).toBe(0)
    expect(JSON.parse(ran.stdout.trim().split("\n").at(-1)!)).toMatchObject({ id: batchId, status: "cancelled" })
    expect(ran.stdout).not.toContain(key)
  })

  it("ends each kind of fault with the bundled file's exit status and message", async () => {
    const { batchId, vectorStoreId } = await seedBatch(upstream.emulator)
    const env = { OPENAI_API_KEY: key, OPENAI_BASE_URL: upstream.emulator.url }
    const cases: Array<[Array<string>, Record<string, string>]> = [
      [["get", vectorStoreId, "vsfb_missing"], env], // not found
      [["get", vectorStoreId, batchId], { ...env, OPENAI_API_KEY: "sk-wrong" }], // authentication
      [["get", vectorStoreId, "bad!id"], env], // usage
      [["get", vectorStoreId, batchId], { OPENAI_API_KEY: key, OPENAI_BASE_URL: "http://127.0.0.1:9/v1" }], // unreachable
      [["frobnicate"], env] // no such command
    ]
    for (const [args, caseEnv] of cases) {
      const [fromExe, fromBundle] = await Promise.all([runExe(args, caseEnv), runCli(args, caseEnv)])
      expect(fromExe.code, args.join(" ")).toBe(fromBundle.code)
      expect(fromExe.code, args.join(" ")).not.toBe(0)
      // The same sentence, but for the request id each answer has.
      const sentence = (text: string, path: string) =>
        text.replaceAll(path, "filebatch").replace(/req_[0-9a-f]+/g, "req_…")
      expect(sentence(fromExe.stderr, exe), args.join(" ")).toBe(sentence(fromBundle.stderr, cliBundle))
    }
  })
})
