/**
 * Helpers shared by every test suite (and the benchmarks) of filebatch, so that none
 * keeps its own copy: the emulator as a promise-friendly resource, seeded batches,
 * spawned bundles that are ready when they say so, and waiting for events.
 */
export * from "./bundles.js"
export * from "./canned.js"
export * from "./emulator.js"
export * from "./eventually.js"
export * from "./http.js"
export * from "./otlp.js"
export * from "./redis.js"
export * from "./spawn.js"
