// `pnpm test:release`: the packages as a user gets them, on the Node filebatch ships. A throwaway registry (verdaccio) on
// 127.0.0.1 with temporary storage; every public package packed from the build and published
// to it; then, in empty folders with npm caches of their own and no file of this repository:
// the README's "Compose core" example installed with npm and with pnpm, type-checked against
// the installed types and run against the emulator installed the same way; the CLI through
// npx and installed globally; the proxy through npx with a key file and the official openai
// package as its client. publint and attw judge every tarball; the sizes are printed.
// Ends with "N passed, N failed" and exits non-zero on any failure.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { startRegistry } from "./registry.mjs"
import { checkTarball, packAll } from "./tarballs.mjs"
import { cliRoutes, composeExample, proxyRoute, userNode } from "./userRoutes.mjs"

const work = mkdtempSync(join(tmpdir(), "filebatch-release-"))
const results = []
const check = async (name, run) => {
  const started = Date.now()
  try {
    const detail = await run()
    results.push({ name, ok: true })
    console.log(`✓ ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)${detail ? `: ${detail}` : ""}`)
  } catch (error) {
    results.push({ name, ok: false })
    console.log(`✗ ${name}\n${String(error?.stack ?? error).replace(/^/gm, "    ")}`)
  }
}

let registry
try {
  const tarballs = await packAll(join(work, "tarballs"))
  for (const tarball of tarballs) {
    await check(`${tarball.name}: publint and attw find no problem`, () => checkTarball(tarball))
  }
  console.log("unpacked sizes:")
  for (const { name, unpackedSize, fileCount } of tarballs) {
    console.log(`  ${name.padEnd(20)} ${(unpackedSize / 1024).toFixed(1).padStart(8)} KiB in ${fileCount} files`)
  }
  registry = await startRegistry(join(work, "registry"))
  await check("every public package publishes to the registry", () => registry.publish(tarballs))
  const version = tarballs[0].version
  const user = { registry: registry.url, work, version }
  console.log(`the user's Node: ${userNode} (shipped-node.json)`)
  await check(
    "README's Compose core example with npm: type-checked, run against the emulator",
    () => composeExample(user, "npm")
  )
  await check(
    "README's Compose core example with pnpm: type-checked, run against the emulator",
    () => composeExample(user, "pnpm")
  )
  for (const [name, route] of cliRoutes(user)) await check(name, route)
  await check("npx @filebatch/proxy with a key file, the official openai package through it", () => proxyRoute(user))
} catch (error) {
  results.push({ name: "setup", ok: false })
  console.log(`✗ setup: ${error?.stack ?? error}`)
} finally {
  await registry?.stop()
  if (results.every((result) => result.ok)) rmSync(work, { recursive: true, force: true })
  else console.log(`(kept for a look: ${work})`)
}
const failed = results.filter((result) => !result.ok).length
console.log(`release: ${results.length - failed} passed, ${failed} failed`)
process.exitCode = failed === 0 ? 0 : 1
