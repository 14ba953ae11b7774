// What filebatch's two bundles (the CLI and the proxy) share at build time: modules they would
// carry but never run, replaced by stubs that throw if ever called. Every bundled module costs
// start-up time (the CLI initialises each at every start) and idle memory (the proxy).

/** A stub's function: it says which program left the module out. */
export const missing = (name, program) => `function () { throw new Error("${name} is not bundled in ${program}") }`

/**
 * @effect/cli's parsers for configuration files given as options (yaml, toml, ini), which no
 * option of either program is, and fast-check (Schema's arbitrary generators, for tests).
 */
export const cliParserStubs = (program) => ({
  yaml: `module.exports = { parse: ${missing("yaml", program)} };`,
  toml: `module.exports = { parse: ${missing("toml", program)} };`,
  ini: `module.exports = { parse: ${missing("ini", program)} };`,
  "fast-check": "module.exports = {};"
})

/** An esbuild plugin that resolves each named module to its stub's source. */
export const stubModules = (stubs) => ({
  name: "stub-unused-modules",
  setup(build) {
    // Module names are plain words and dashes: nothing to escape.
    const stubbed = new RegExp(`^(${Object.keys(stubs).join("|")})$`)
    build.onResolve({ filter: stubbed }, (args) => ({ path: args.path, namespace: "stub" }))
    build.onLoad({ filter: /.*/, namespace: "stub" }, (args) => ({ contents: stubs[args.path], loader: "js" }))
  }
})
