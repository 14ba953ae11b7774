// Bundles the proxy into one ESM file, dist/proxy.mjs, and reports its size.
import { build } from "esbuild"
import { statSync } from "node:fs"

const outfile = "dist/proxy.mjs"
await build({
  entryPoints: ["src/bin.ts"],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  minify: process.env["NO_MINIFY"] !== "1",
  conditions: ["@filebatch/source"],
  legalComments: "none",
  banner: {
    js:
      "import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);"
  },
  logLevel: "warning"
})
console.log(`${outfile}: ${(statSync(outfile).size / 1024).toFixed(1)} KiB`)
