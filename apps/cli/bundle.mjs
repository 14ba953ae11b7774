// How the CLI's sources become one CommonJS bundle: build.mjs (the launcher with its code
// cache) and build-exe.mjs (the standalone executable) both bundle this way.
import { cliParserStubs, missing, stubModules } from "@filebatch/cli-kit/esbuild"
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
const program = "the filebatch CLI"
const withoutUnused = stubModules({
  ...cliParserStubs(program),
  undici: `module.exports = { Agent: ${missing("undici", program)}, getGlobalDispatcher: ${
    missing("undici", program)
  } };`,
  ws: `module.exports = { WebSocketServer: ${missing("ws", program)}, WebSocket: ${missing("ws", program)} };`,
  // msgpackr's optional native extractor: its loader searches the disk for a prebuilt addon at
  // every start (and asks the standalone executable for files it cannot load); msgpackr
  // falls back to JavaScript when the require throws.
  "msgpackr-extract": `throw new Error("msgpackr-extract is not bundled in ${program}")`,
  mime: `module.exports = { getType: ${missing("mime", program)} };`
})

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
