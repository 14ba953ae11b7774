/** The packages users install, and where they are in the workspace. */
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

export const root = fileURLToPath(new URL("../../../", import.meta.url))

export const publicPackages = [
  { dir: "packages/core", name: "@filebatch/core", bundled: false },
  { dir: "packages/undici", name: "@filebatch/undici", bundled: false },
  { dir: "packages/emulator", name: "@filebatch/emulator", bundled: false },
  { dir: "apps/cli", name: "@filebatch/cli", bundled: true },
  { dir: "apps/proxy", name: "@filebatch/proxy", bundled: true }
] as const

export interface Manifest {
  readonly name: string
  readonly version: string
  readonly private?: boolean
  readonly [field: string]: unknown
}

/** The package.json of a workspace folder ("" for the root). */
export const manifestOf = (dir: string): Manifest =>
  JSON.parse(readFileSync(`${root}${dir === "" ? "" : `${dir}/`}package.json`, "utf8")) as Manifest
