import { describe, expect, it } from "@effect/vitest"
import { cliBundle as bundle } from "@filebatch/testkit"
import { spawnSync } from "node:child_process"
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const run = (cacheHome: string, env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [bundle, "--version"], {
    env: { PATH: process.env["PATH"] ?? "", XDG_CACHE_HOME: cacheHome, ...env },
    encoding: "utf8"
  })

describe("the bundle's V8 code cache", () => {
  it("is written on the first run, reused after, and replaces caches of other versions", () => {
    const home = mkdtempSync(join(tmpdir(), "filebatch-cache-"))
    mkdirSync(join(home, "filebatch"))
    writeFileSync(join(home, "filebatch", "0000000000000000-v0-x64.v8"), "stale")
    expect(run(home).stdout.trim()).toBe("0.1.0")
    const files = readdirSync(join(home, "filebatch"))
    expect(files).toHaveLength(1)
    expect(files[0]).toMatch(/^[0-9a-f]{16}-v\d+\.\d+\.\d+-\w+\.v8$/)
    expect(run(home).stdout.trim()).toBe("0.1.0")
    expect(readdirSync(join(home, "filebatch"))).toEqual(files)
  })

  it("FILEBATCH_COMPILE_CACHE=0 writes nothing", () => {
    const home = mkdtempSync(join(tmpdir(), "filebatch-cache-"))
    expect(run(home, { FILEBATCH_COMPILE_CACHE: "0" }).stdout.trim()).toBe("0.1.0")
    expect(readdirSync(home)).toEqual([])
  })
})
