// An esbuild plugin for the apps' bundles: OpenTelemetry's SDK (src/internal/sdk.ts) goes in
// as a bundle of its own, gzipped in a string, and is run only when tracing is turned on.
// Its `effect` modules are the app bundle's own (one Effect runtime, one tracer), handed to it
// through the `require` it runs with; Node's built-in modules come from Node.
import { build } from "esbuild"
import { fileURLToPath } from "node:url"
import { gzipSync } from "node:zlib"

const sdkEntry = fileURLToPath(new URL("./src/internal/sdk.ts", import.meta.url))
const shared = /^(effect|@effect\/platform)(\/.*)?$/

const sdkBundle = async () => {
  const result = await build({
    entryPoints: [sdkEntry],
    bundle: true,
    write: false,
    platform: "node",
    format: "cjs",
    target: "node20",
    minify: true,
    legalComments: "none",
    logLevel: "warning",
    metafile: true,
    // Run by `new Function`, which has no module loader behind `import()`.
    supported: { "dynamic-import": false },
    plugins: [{
      name: "shared-effect",
      setup(build) {
        build.onResolve({ filter: shared }, (args) => ({ path: args.path, external: true }))
      }
    }]
  })
  const modules = new Set()
  for (const input of Object.values(result.metafile.inputs)) {
    for (const imported of input.imports) {
      if (imported.external && shared.test(imported.path)) modules.add(imported.path)
    }
  }
  sdkMetafile = result.metafile
  return { code: result.outputFiles[0].text, modules: [...modules].sort() }
}

let sdkMetafile

/**
 * The modules the embedded SDK carries, as esbuild's metafile inputs: for the app's own metafile
 * (the release's SBOM lists every package a bundle carries, the embedded ones too).
 */
export const embeddedSdkInputs = () => sdkMetafile?.inputs ?? {}

/** Replaces `internal/loadSdk` with a loader of the embedded SDK bundle. */
export const embeddedSdk = {
  name: "embedded-opentelemetry-sdk",
  setup(build) {
    build.onResolve({ filter: /\/internal\/loadSdk\.js$/ }, (args) => ({ path: args.path, namespace: "telemetry-sdk" }))
    build.onLoad({ filter: /.*/, namespace: "telemetry-sdk" }, async () => {
      const { code, modules } = await sdkBundle()
      // Imported when the SDK is loaded: modules that nothing else of the app uses stay uninitialised.
      const table = modules.map((name) => `${JSON.stringify(name)}: await import(${JSON.stringify(name)})`).join(
        ",\n    "
      )
      return {
        loader: "js",
        resolveDir: fileURLToPath(new URL("./src/internal/", import.meta.url)),
        contents: `const packed = ${JSON.stringify(gzipSync(code, { level: 9 }).toString("base64"))}
export const loadSdk = async () => {
  // Node's zlib loaded at start costs memory too: only now.
  const { gunzipSync } = await import("node:zlib")
  const { createRequire } = await import("node:module")
  const shared = {
    ${table}
  }
  const nodeRequire = createRequire(process.cwd() + "/")
  const module = { exports: {} }
  const source = gunzipSync(Buffer.from(packed, "base64")).toString("utf8")
  new Function("module", "exports", "require", source)(module, module.exports, (id) => shared[id] ?? nodeRequire(id))
  return module.exports
}
`
      }
    })
  }
}
