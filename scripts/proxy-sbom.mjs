// A CycloneDX SBOM of what the proxy's bundle carries, for the release (argument: the output
// file). The bundle has no dependencies to install, so the list comes from esbuild's metafile
// (every package a bundled module came from, at its installed version); an npm lockfile of
// exactly those is made in a temporary folder, and @cyclonedx/cyclonedx-npm describes it.
import { execFileSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { fileURLToPath } from "node:url"

const output = resolve(process.argv[2] ?? "filebatch-proxy.cdx.json")
const root = fileURLToPath(new URL("..", import.meta.url))
const proxy = JSON.parse(readFileSync(join(root, "apps/proxy/package.json"), "utf8"))
const meta = JSON.parse(readFileSync(join(root, "apps/proxy/dist/proxy.mjs.meta.json"), "utf8"))

const bundled = {}
for (const input of Object.keys(meta.inputs)) {
  const at = input.lastIndexOf("node_modules/")
  if (at < 0) continue
  const parts = input.slice(at + "node_modules/".length).split("/")
  const name = parts[0].startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0]
  // Metafile paths are relative to the proxy's folder, where esbuild ran.
  const folder = resolve(root, "apps/proxy", input.slice(0, at), "node_modules", name)
  const manifest = JSON.parse(readFileSync(join(folder, "package.json"), "utf8"))
  bundled[name] = manifest.version
}
// @filebatch/core and @filebatch/undici are bundled from this repository's sources: the SBOM's
// subject itself, not third-party components.

const work = mkdtempSync(join(tmpdir(), "filebatch-sbom-"))
try {
  writeFileSync(
    join(work, "package.json"),
    JSON.stringify({ name: proxy.name, version: proxy.version, license: proxy.license, dependencies: bundled })
  )
  execFileSync("npm", ["install", "--package-lock-only", "--ignore-scripts", "--no-audit", "--no-fund"], {
    cwd: work,
    stdio: "inherit"
  })
  execFileSync("npx", [
    "-y",
    "@cyclonedx/cyclonedx-npm@6.0.1",
    "--package-lock-only",
    "--output-format",
    "JSON",
    "--output-file",
    output
  ], { cwd: work, stdio: "inherit" })
} finally {
  rmSync(work, { recursive: true, force: true })
}
console.log(`${output}: ${Object.keys(bundled).length} bundled packages`)
