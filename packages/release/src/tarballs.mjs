// The public packages packed as the registry gets them (pnpm pack: `workspace:` ranges
// replaced by real ones), and judged as a user's tools would judge them.
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { publint } from "publint"
import { formatMessage } from "publint/utils"
import { pnpm, run } from "./exec.mjs"

const root = fileURLToPath(new URL("../../../", import.meta.url))
const attw = fileURLToPath(new URL("../node_modules/.bin/attw", import.meta.url))

/** Name, workspace folder, and whether it is a library (types to check) or a bundled command. */
export const publicPackages = [
  { dir: "packages/core", library: true },
  { dir: "packages/undici", library: true },
  { dir: "packages/emulator", library: true },
  { dir: "apps/cli", library: false },
  { dir: "apps/proxy", library: false }
]

/** Packs every public package into `destination`; each with its unpacked size and file count. */
export const packAll = async (destination) => {
  const tarballs = []
  for (const { dir, library } of publicPackages) {
    const { stdout } = await pnpm(["pack", "--pack-destination", destination, "--json"], { cwd: join(root, dir) })
    const packed = JSON.parse(stdout)
    const listing = (await run("tar", ["-tzvf", packed.filename])).stdout.trim().split("\n")
    const unpackedSize = listing.reduce((sum, line) => sum + Number(line.split(/\s+/)[2]), 0)
    const paths = listing.map((line) => line.split(/\s+/).slice(5).join(" "))
    const stray = paths.filter((path) => /(^|\/)(test|bench|fixtures)\/|\.test\.|tsbuildinfo/.test(path))
    if (stray.length > 0) throw new Error(`${packed.name} would ship ${stray.join(", ")}`)
    if (!paths.includes("package/LICENSE")) throw new Error(`${packed.name} ships no LICENSE`)
    tarballs.push({
      name: packed.name,
      version: packed.version,
      file: packed.filename,
      library,
      unpackedSize,
      fileCount: paths.length
    })
  }
  return tarballs
}

/** publint (strict: warnings count) and attw's ESM-only profile on every tarball. */
export const checkTarball = async ({ file, library }) => {
  const bytes = readFileSync(file)
  const tarball = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
  const { messages, pkg } = await publint({ pack: { tarball }, strict: true, level: "suggestion" })
  if (messages.length > 0) {
    throw new Error(`publint:\n${messages.map((message) => formatMessage(message, pkg)).join("\n")}`)
  }
  const result = await run(attw, [file, "--profile", "esm-only", "--format", "ascii", "--no-color"], {
    allowFailure: true
  })
  if (result.code !== 0) throw new Error(`attw (esm-only):\n${result.stdout}${result.stderr}`)
  // A bundled command ships no types, which attw reports without a problem; a library must have them.
  if (library && result.stdout.includes("does not contain types")) throw new Error("attw: the library has no types")
  return library ? "publint and attw (esm-only) clean" : "publint and attw clean (a bundled command: no types)"
}
