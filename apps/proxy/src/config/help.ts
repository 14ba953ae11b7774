/** `filebatch-proxy --help`: what it is and every setting it reads, without reading any. */
import { DurationText } from "@filebatch/core"
import { all } from "./settings.js"

export const helpText = (version: string) => {
  const width = Math.max(...all.map(({ name }) => name.length))
  return [
    `filebatch-proxy ${version}: an OpenAI-compatible proxy that holds the OpenAI key and lets clients`,
    "cancel and follow vector store file batches with keys of their own.",
    "",
    "Usage: filebatch-proxy            (configured by environment variables only)",
    "       filebatch-proxy --version  (prints the version)",
    "       filebatch-proxy audit verify --file <path>… | --redis-url <url> [--stream <name>]",
    "                                  (checks the audit trail's chain; audit --help says more)",
    "",
    "Settings:",
    ...all.map(({ fallback, meaning, name }) =>
      `  ${name.padEnd(width)}  ${meaning.replaceAll("`", "")} (default: ${fallback})`
    ),
    "",
    `Durations: ${DurationText.examples}.`,
    "Routes: /v1/vector_stores/{id}/file_batches[/{id}[/cancel|/files]], /healthz, /readyz, /metrics, /openapi.json, /docs",
    "Admin port only: /audit?vector_store_id=&batch_id=&key=&since=&limit= (NDJSON)",
    "Tracing: the standard OTEL_* variables (OTEL_EXPORTER_OTLP_ENDPOINT turns it on; http/protobuf or http/json)",
    ""
  ].join("\n")
}
