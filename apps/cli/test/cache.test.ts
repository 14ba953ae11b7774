import { describe, expect, it } from "@effect/vitest"
import { cliBundle as bundle } from "@filebatch/testkit"
import { spawnSync } from "node:child_process"
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"

const packageVersion = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string
}).version

const shippedNode = (JSON.parse(readFileSync(new URL("../../../shipped-node.json", import.meta.url), "utf8")) as {
  version: string
}).version

const run = (cacheHome: string, env: Record<string, string> = {}, file = bundle) =>
  spawnSync(process.execPath, [file, "--version"], {
    env: { PATH: process.env["PATH"] ?? "", XDG_CACHE_HOME: cacheHome, ...env },
    encoding: "utf8"
  })

/** The file alone in a folder of its own, without the cache shipped beside it (as on another Node). */
const alone = () => {
  const file = join(mkdtempSync(join(tmpdir(), "filebatch-alone-")), "filebatch.cjs")
  copyFileSync(bundle, file)
  return file
}

describe("the bundle's V8 code cache", () => {
  it("ships beside the file for the shipped Node: a first run on it with an empty cache folder uses it and writes nothing", () => {
    const shipped = readdirSync(dirname(bundle)).filter((name) => name.endsWith(".v8"))
    expect(shipped).toEqual([
      expect.stringMatching(
        new RegExp(`^filebatch\\.cjs\\.[0-9a-f]{16}-v${shippedNode.replaceAll(".", "\\.")}-x64\\.v8$`)
      )
    ])
    const home = mkdtempSync(join(tmpdir(), "filebatch-cache-"))
    const first = run(home)
    expect(first.stdout.trim()).toBe(packageVersion)
    // On another Node the shipped cache does not fit: the first run compiles and writes the user's.
    if (process.version === `v${shippedNode}`) expect(readdirSync(home)).toEqual([])
    else expect(readdirSync(join(home, "filebatch"))).toHaveLength(1)
  })

  it("without a usable shipped cache, the user's is written on the first run, reused after, and replaces caches of other versions", () => {
    const file = alone()
    const home = mkdtempSync(join(tmpdir(), "filebatch-cache-"))
    mkdirSync(join(home, "filebatch"))
    writeFileSync(join(home, "filebatch", "0000000000000000-v0-x64.v8"), "stale")
    expect(run(home, {}, file).stdout.trim()).toBe(packageVersion)
    const files = readdirSync(join(home, "filebatch"))
    expect(files).toHaveLength(1)
    expect(files[0]).toMatch(/^[0-9a-f]{16}-v\d+\.\d+\.\d+-\w+\.v8$/)
    expect(run(home, {}, file).stdout.trim()).toBe(packageVersion)
    expect(readdirSync(join(home, "filebatch"))).toEqual(files)
  })

  it("FILEBATCH_COMPILE_CACHE=0 writes nothing", () => {
    const home = mkdtempSync(join(tmpdir(), "filebatch-cache-"))
    expect(run(home, { FILEBATCH_COMPILE_CACHE: "0" }, alone()).stdout.trim()).toBe(packageVersion)
    expect(readdirSync(home)).toEqual([])
  })

  it("a shipped cache V8 rejects (another build, damaged) is ignored: the run compiles and writes the user's", () => {
    const [shipped] = readdirSync(dirname(bundle)).filter((name) => name.endsWith(".v8"))
    const file = alone()
    writeFileSync(join(dirname(file), shipped!), "not a code cache")
    const home = mkdtempSync(join(tmpdir(), "filebatch-cache-"))
    expect(run(home, {}, file).stdout.trim()).toBe(packageVersion)
    expect(readdirSync(join(home, "filebatch"))).toHaveLength(1)
  })
})
