/**
 * The packages as a registry and a user see them, checked without a registry: what each
 * manifest promises, the files beside it, and versions stated once.
 */
import { describe, expect, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { manifestOf, publicPackages, root } from "../src/packages.js"

const read = (path: string) => readFileSync(join(root, path), "utf8")

describe("the published packages", () => {
  it.each(publicPackages)("$name: a manifest with what the ecosystem expects", ({ bundled, dir, name }) => {
    const manifest = manifestOf(dir)
    expect(manifest.name).toBe(name)
    expect(manifest.private).toBeUndefined()
    expect(manifest["license"]).toBe("MIT")
    expect(manifest["repository"]).toMatchObject({ type: "git", directory: dir })
    expect(manifest["homepage"]).toMatch(/^https:\/\//)
    expect(manifest["engines"]).toEqual({ node: ">=20.19" })
    expect((manifest["keywords"] as Array<string>).length).toBeGreaterThan(3)
    expect(manifest["publishConfig"]).toEqual({ access: "public" })
    expect(read(`${dir}/LICENSE`)).toBe(read("LICENSE"))
    // The README starts with how to install it.
    const readme = read(`${dir}/README.md`)
    expect(readme.slice(0, 600)).toMatch(/npm i(nstall)? (-g )?[^\n]*@filebatch\//)
    if (bundled) {
      // One self-contained file: nothing to install beside it.
      expect(manifest["dependencies"]).toBeUndefined()
      expect(manifest["peerDependencies"]).toBeUndefined()
    } else {
      const exports = manifest["exports"] as Record<string, Record<string, string> | string>
      for (const [subpath, target] of Object.entries(exports)) {
        if (subpath === "./package.json") continue
        expect(target, subpath).toMatchObject({ types: expect.stringMatching(/\.d\.ts$/) })
      }
    }
  })

  it("one version for all of them, written into the code and the deploy examples from package.json", () => {
    const versions = new Set(publicPackages.map(({ dir }) => manifestOf(dir).version))
    expect(versions.size).toBe(1)
    execFileSync(process.execPath, [join(root, "scripts/sync-versions.mjs"), "--check"], { stdio: "pipe" })
    const config = JSON.parse(read(".changeset/config.json"))
    expect(config.fixed).toEqual([publicPackages.map(({ name }) => name)])
  })

  it("no @since tag names a version after the one the pending changesets release", () => {
    const current = manifestOf("packages/core").version.split(".").map(Number) as [number, number, number]
    // The largest bump any pending changeset asks for (the packages are one fixed group).
    const bumps = readdirSync(join(root, ".changeset")).filter((file) => file.endsWith(".md") && file !== "README.md")
      .flatMap((file) => [...read(`.changeset/${file}`).matchAll(/^"[^"]+": (major|minor|patch)$/gm)].map((m) => m[1]))
    const [major, minor, patch] = bumps.includes("major")
      ? [current[0] + 1, 0, 0]
      : bumps.includes("minor")
      ? [current[0], current[1] + 1, 0]
      : bumps.includes("patch")
      ? [current[0], current[1], current[2] + 1]
      : current
    const later = (tag: string) => {
      const [a, b, c] = tag.split(".").map(Number) as [number, number, number]
      return a !== major ? a > major : b !== minor ? b > minor : c > patch
    }
    for (const { bundled, dir } of publicPackages) {
      if (bundled) continue
      const sources = readdirSync(join(root, dir, "src"), { recursive: true, encoding: "utf8" })
        .filter((file) => file.endsWith(".ts"))
      for (const file of sources) {
        for (const [, tag] of read(`${dir}/src/${file}`).matchAll(/@since (\d+\.\d+\.\d+)/g)) {
          expect(later(tag!), `${dir}/src/${file}: @since ${tag}`).toBe(false)
        }
      }
    }
  })

  it("a changelog per package, and a SECURITY.md at the root", () => {
    for (const { dir, name } of publicPackages) {
      expect(read(`${dir}/CHANGELOG.md`).split("\n")[0]).toBe(`# ${name}`)
    }
    expect(existsSync(join(root, "SECURITY.md"))).toBe(true)
  })
})
