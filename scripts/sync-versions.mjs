// Each package's package.json is the one source of its version. This writes it where code
// and deployment files must state it too (a module per package, the deploy examples'
// image tag), and `--check` fails where one says otherwise. `pnpm version-packages` runs
// it right after `changeset version`; the suite runs it with --check.
import { readFileSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const versionOf = (dir) => JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")).version

const module = (name, version, extra = "") =>
  `/** Written from package.json by scripts/sync-versions.mjs (\`pnpm version-packages\`); never by hand. */\n` +
  `export const ${name} = "${version}"\n${extra}`

const files = [
  {
    path: "packages/core/src/internal/version.ts",
    text: (v) =>
      module("libraryVersion", v, "\nexport const userAgent = `filebatch-core/${libraryVersion} (node; effect)`\n"),
    dir: "packages/core"
  },
  {
    path: "packages/emulator/src/internal/version.ts",
    text: (v) => module("libraryVersion", v),
    dir: "packages/emulator"
  },
  { path: "apps/cli/src/internal/version.ts", text: (v) => module("version", v), dir: "apps/cli" },
  { path: "apps/proxy/src/ops/version.ts", text: (v) => module("version", v), dir: "apps/proxy" }
]
// The image the deploy examples run: the proxy's version.
const imageTags = ["apps/proxy/deploy/compose.yaml", "apps/proxy/deploy/kubernetes/proxy.yaml"].map((path) => ({
  path,
  dir: "apps/proxy",
  rewrite: (text, v) => text.replace(/(image: ghcr\.io\/filebatch\/filebatch-proxy:)[\w.-]+/g, `$1${v}`)
}))

const check = process.argv.includes("--check")
const stale = []
for (const file of files) {
  const wanted = file.text(versionOf(file.dir))
  let current = ""
  try {
    current = readFileSync(join(root, file.path), "utf8")
  } catch {
    // Not written yet: it is written now, or reported stale.
  }
  if (current === wanted) continue
  if (check) stale.push(file.path)
  else writeFileSync(join(root, file.path), wanted)
}
for (const file of imageTags) {
  const current = readFileSync(join(root, file.path), "utf8")
  const wanted = file.rewrite(current, versionOf(file.dir))
  if (!/image: ghcr\.io\/filebatch\/filebatch-proxy:/.test(current)) stale.push(`${file.path} (no published image)`)
  else if (current !== wanted && check) stale.push(file.path)
  else if (current !== wanted) writeFileSync(join(root, file.path), wanted)
}
if (stale.length > 0) {
  console.error(`versions out of step with package.json: ${stale.join(", ")} (run pnpm version-packages)`)
  process.exit(1)
}
