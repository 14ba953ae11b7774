// Bundles the proxy into one ESM file, dist/proxy.mjs, and reports its size.
import { cliParserStubs, stubModules } from "@filebatch/cli-kit/esbuild"
import { embeddedSdk, embeddedSdkInputs } from "@filebatch/telemetry/esbuild"
import { build } from "esbuild"
import { chmodSync, readFileSync, statSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { gzipSync } from "node:zlib"

// The docs page's UI (swagger-ui-dist, pinned in package.json) is embedded in the bundle,
// so that /docs loads nothing from anywhere but the proxy: gzipped and in base64 (a third
// of the size), unpacked on the first request for it, so that it costs no memory before.
const swaggerUi = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"))
const docsAssets = {
  name: "docs-assets",
  setup(build) {
    build.onResolve({ filter: /^docs-asset:/ }, (args) => ({ path: args.path.slice(11), namespace: "docs-asset" }))
    build.onLoad({ filter: /.*/, namespace: "docs-asset" }, (args) => ({
      contents: gzipSync(readFileSync(join(swaggerUi, args.path)), { level: 9 }).toString("base64"),
      loader: "text"
    }))
  }
}

// Modules the bundle would carry but the proxy never runs, replaced by stubs that throw if
// ever called (code in the bundle costs idle memory even when it never runs).
const withoutUnused = stubModules(cliParserStubs("filebatch-proxy"))

// Another place for the file (bench/profile.mjs builds an unminified one to read profiles by module).
const outfile = process.env["FILEBATCH_BUILD_OUTFILE"] ?? "dist/proxy.mjs"
const result = await build({
  metafile: true,
  entryPoints: ["src/bin.ts"],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  minify: process.env["NO_MINIFY"] !== "1",
  conditions: ["@filebatch/source"],
  plugins: [docsAssets, embeddedSdk, withoutUnused],
  legalComments: "none",
  banner: {
    // A shebang: `npm i -g` and npx run the file as the package's bin.
    js: "#!/usr/bin/env node\n" +
      "import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);"
  },
  logLevel: "warning"
})
chmodSync(outfile, 0o755)
// Which packages the bundle carries, for the release's SBOM (scripts/proxy-sbom.mjs).
writeFileSync(
  `${outfile}.meta.json`,
  JSON.stringify({ ...result.metafile, inputs: { ...result.metafile.inputs, ...embeddedSdkInputs() } })
)
console.log(`${outfile}: ${(statSync(outfile).size / 1024).toFixed(1)} KiB`)
