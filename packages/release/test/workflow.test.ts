/**
 * The release workflow cannot run here (it publishes to npm and pushes an image); it is
 * held to what can be checked: it parses, it runs on main with the permissions provenance
 * needs, every script and file it names exists, and every action is pinned.
 */
import { describe, expect, it } from "@effect/vitest"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { parse } from "yaml"
import { manifestOf, root } from "../src/packages.js"

interface Step {
  readonly name?: string
  readonly uses?: string
  readonly run?: string
  readonly with?: Record<string, string | boolean>
  readonly env?: Record<string, string>
}
interface Workflow {
  readonly on: { push: { branches: Array<string> } }
  readonly permissions: Record<string, string>
  readonly jobs: Record<string, { steps: Array<Step> }>
}

const workflow = parse(readFileSync(join(root, ".github/workflows/release.yml"), "utf8")) as Workflow
const steps = Object.values(workflow.jobs).flatMap((job) => job.steps)
const commands = steps.flatMap((step) => [
  ...(step.run === undefined ? [] : step.run.split("\n")),
  ...Object.values(step.with ?? {}).filter((value): value is string => typeof value === "string")
])
const rootManifest = manifestOf("")
const scripts = rootManifest["scripts"] as Record<string, string>
const pinnedPnpm = String(rootManifest["packageManager"])

describe("the release workflow", () => {
  it("runs on main with the permissions for the version PR, provenance, releases and the image", () => {
    expect(workflow.on.push.branches).toEqual(["main"])
    expect(workflow.permissions).toMatchObject({
      contents: "write",
      "pull-requests": "write",
      "id-token": "write",
      packages: "write"
    })
    const changesets = steps.find((step) => step.uses?.startsWith("changesets/action@"))!
    expect(changesets.with).toMatchObject({
      version: `npx -y ${pinnedPnpm} version-packages`,
      publish: `npx -y ${pinnedPnpm} release`
    })
    expect(changesets.env).toMatchObject({ NPM_CONFIG_PROVENANCE: "true" })
  })

  it("calls only scripts and files that exist, with the pinned pnpm", () => {
    const pnpmCalls = commands.flatMap((line) => [...line.matchAll(/npx -y (pnpm@[\d.]+) ([\w:-]+)/g)])
    expect(pnpmCalls.length).toBeGreaterThan(3)
    for (const [, version, script] of pnpmCalls) {
      expect(version).toBe(pinnedPnpm)
      if (script === "install" || script === "exec") continue
      expect(scripts, script).toHaveProperty(script!)
    }
    const files = commands.flatMap((line) => [...line.matchAll(/(?:node|bash) ((?:\.?[\w.-]+\/)+[\w.-]+)/g)])
      .map(([, file]) => file!)
    expect(files).toEqual(expect.arrayContaining([".ci/run", "scripts/proxy-sbom.mjs"]))
    for (const file of files) expect(existsSync(join(root, file)), file).toBe(true)
    const dockerfile = steps.find((step) => step.uses?.startsWith("docker/build-push-action@"))!
    expect(existsSync(join(root, String(dockerfile.with!["file"])))).toBe(true)
  })

  it("pins every action to a major version, and attaches the executable, its sum and the SBOM", () => {
    for (const step of steps) {
      if (step.uses !== undefined) expect(step.uses).toMatch(/^[\w-]+\/[\w-]+@v\d+$/)
    }
    const upload = commands.filter((line) => line.includes("gh release upload")).join("\n")
    expect(upload).toMatch(/filebatch-linux-x64 /)
    expect(upload).toMatch(/filebatch-linux-x64\.sha256/)
    expect(upload).toMatch(/\.cdx\.json/)
    const labels = String(steps.find((step) => step.uses?.startsWith("docker/metadata-action@"))!.with!["labels"])
    for (const label of ["title", "description", "licenses", "version"]) {
      expect(labels).toContain(`org.opencontainers.image.${label}=`)
    }
  })

  it("runs on the shipped Node (shipped-node.json) and builds the image on its base pinned by digest", () => {
    const setups = steps.filter((step) => step.uses?.startsWith("actions/setup-node@"))
    expect(setups.length).toBe(2)
    for (const setup of setups) expect(setup.with!["node-version"]).toBe("${{ steps.node.outputs.version }}")
    const pins = steps.filter((step) => step.name === "The shipped Node (shipped-node.json)")
    expect(pins.map((step) => step.run)).toEqual(
      Array(2).fill(
        `echo "version=$(node -p "require('./shipped-node.json').version")" >> "$GITHUB_OUTPUT"`
      )
    )
    expect(commands.join("\n")).not.toMatch(/\b20\.20\.2\b/)
    const base = steps.find((step) => step.name === "The image's base, pinned by digest")!
    expect(base.run).toMatch(/base="node:\$\{\{ steps\.node\.outputs\.version \}\}-bookworm-slim"/)
    expect(base.run).toMatch(/echo "image=\$\{base\}@\$\{digest\}"/)
    const build = steps.find((step) => step.uses?.startsWith("docker/build-push-action@"))!
    expect(build.with!["build-args"]).toBe("BASE=${{ steps.base.outputs.image }}")
  })
})
