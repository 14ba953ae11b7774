// How the CLI's sources become one CommonJS bundle: build.mjs (the launcher with its code
// cache) and build-exe.mjs (the standalone executable) both bundle this way.
import { embeddedSdk } from "@filebatch/telemetry/esbuild"
import { build } from "esbuild"

// Modules the bundle would carry but the CLI never uses are replaced by stubs that
// throw if ever called, because every bundled module is initialised at every start:
// - undici: the CLI talks through node:http (NodeHttpClient.layer); @effect/platform-node
//   imports undici for its other layers, only inside functions the CLI never calls
//   (~0.5 MiB to load at every start);
// - ws: @effect/platform-node's HTTP server (the `emulator` subcommand) loads it for
//   WebSocket upgrades, which the emulator never serves; it pulls in tls, https and zlib
//   (~10 ms measured);
// - yaml, toml, ini: @effect/cli's parsers for configuration files given as options,
//   which no filebatch option is; fast-check: Schema's arbitrary generators, for tests;
//   mime: the platform's file responses, which the emulator never sends (together
//   ~230 KiB initialised at every start; ~8 ms measured).
const missing = (name) => `function () { throw new Error("${name} is not bundled in the filebatch CLI") }`
const stubs = {
  undici: `module.exports = { Agent: ${missing("undici")}, getGlobalDispatcher: ${missing("undici")} };`,
  ws: `module.exports = { WebSocketServer: ${missing("ws")}, WebSocket: ${missing("ws")} };`,
  yaml: `module.exports = { parse: ${missing("yaml")} };`,
  toml: `module.exports = { parse: ${missing("toml")} };`,
  ini: `module.exports = { parse: ${missing("ini")} };`,
  "fast-check": "module.exports = {};",
  // msgpackr's optional native extractor: its loader searches the disk for a prebuilt addon at
  // every start (and asks the standalone executable for files it cannot load); msgpackr
  // falls back to JavaScript when the require throws.
  "msgpackr-extract": `throw new Error("msgpackr-extract is not bundled in the filebatch CLI")`,
  mime: `module.exports = { getType: ${missing("mime")} };`
}
const withoutUnused = {
  name: "stub-unused-modules",
  setup(build) {
    // Module names are plain words and dashes: nothing to escape.
    const stubbed = new RegExp(`^(${Object.keys(stubs).join("|")})$`)
    build.onResolve({ filter: stubbed }, (args) => ({
      path: args.path,
      namespace: "stub"
    }))
    build.onLoad({ filter: /.*/, namespace: "stub" }, (args) => ({ contents: stubs[args.path], loader: "js" }))
  }
}

/** One entry point as a minified CommonJS bundle for Node 20, as text. */
export const bundleOf = async (entryPoint) => {
  const result = await build({
    entryPoints: [entryPoint],
    bundle: true,
    write: false,
    platform: "node",
    format: "cjs",
    target: "node20",
    minify: process.env["NO_MINIFY"] !== "1",
    treeShaking: true,
    conditions: ["@filebatch/source"],
    legalComments: "none",
    logLevel: "warning",
    // The bundle runs in a node:vm Script (build.mjs), where `import()` has no loader behind
    // it: OpenTelemetry's exporter imports node:http that way. Written as require instead.
    supported: { "dynamic-import": false },
    plugins: [withoutUnused, embeddedSdk]
  })
  return result.outputFiles[0].text
}
