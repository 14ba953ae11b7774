/**
 * Loads OpenTelemetry's SDK (`sdk.ts`). Here, a dynamic import; in the CLI's and the
 * proxy's bundles, `esbuild.mjs` puts in its place the SDK's own bundle, kept compressed
 * as a string and run only when tracing is on — as code in the bundle, even code never run,
 * it cost every proxy ~3.5 MiB of idle memory (docs/benchmarks.md).
 */
export const loadSdk = () => import("./sdk.js")
