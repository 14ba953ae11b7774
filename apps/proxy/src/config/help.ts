/** `filebatch-proxy --help`: what it is and every setting it reads, without reading any. */
import { DurationText, FileBatchConfig } from "@filebatch/core"

const core = FileBatchConfig.envNames

/** Every environment variable the proxy reads: name, default, meaning (the README's table says the same). */
export const settings: ReadonlyArray<readonly [string, string, string]> = [
  [core.apiKey, "required", "the upstream OpenAI key, held only by the proxy"],
  [core.baseUrl, FileBatchConfig.defaultBaseUrl, "the upstream"],
  [core.organization, "none", "sent upstream as OpenAI-Organization"],
  [core.project, "none", "sent upstream as OpenAI-Project"],
  [core.timeout, "60s", "time limit of one upstream attempt"],
  [core.maxRetries, "2", "upstream retries after a failed attempt"],
  [core.deadline, "2m", "time limit of one upstream call, retries included"],
  ["FILEBATCH_PROXY_KEYS", "-", "client keys, JSON: [{\"name\",\"sha256\",\"vectorStores\": [...] or \"*\"}]"],
  [
    "FILEBATCH_PROXY_KEYS_FILE",
    "-",
    "the same JSON in a file (one of the two is required); reloaded on SIGHUP or change"
  ],
  ["HOST", "127.0.0.1", "address to listen on"],
  ["PORT", "8080", "port to listen on (0: any free port)"],
  [
    "FILEBATCH_PROXY_ADMIN_PORT",
    "off",
    "a port of its own for /metrics, /healthz, /readyz (then /metrics is not on PORT)"
  ],
  ["FILEBATCH_PROXY_RATE_LIMIT", "off", "requests per client key per window"],
  ["FILEBATCH_PROXY_RATE_LIMIT_WINDOW", "1s", "the rate limit's window"],
  [
    "FILEBATCH_PROXY_REDIS_URL",
    "off",
    "redis://[user:password@]host[:port][/db] or rediss:// (TLS): replicas share rate limits and cancels"
  ],
  [
    "FILEBATCH_PROXY_WORKERS",
    "1",
    "processes serving the port (auto: one per core); more than one needs FILEBATCH_PROXY_REDIS_URL"
  ],
  ["FILEBATCH_PROXY_REDIS_FAILURE", "open", "Redis unreachable: the rate limit admits (open) or answers 503 (closed)"],
  ["FILEBATCH_PROXY_MAX_UPSTREAM_CONCURRENCY", "64", "upstream calls in flight at once"],
  ["FILEBATCH_PROXY_MAX_QUEUE", "256", "calls allowed to wait for one; past it, 503"],
  ["FILEBATCH_PROXY_MAX_BODY_BYTES", "16384", "larger request bodies get 413"],
  ["FILEBATCH_PROXY_MAX_HEADER_BYTES", "16384", "larger headers get 431"],
  ["FILEBATCH_PROXY_HEADERS_TIMEOUT", "10s", "time to receive a request's headers"],
  ["FILEBATCH_PROXY_REQUEST_TIMEOUT", "3m", "time to receive a whole request"],
  ["FILEBATCH_PROXY_DRAIN_DELAY", "5s", "after SIGTERM, how long /readyz fails while requests are still served"],
  ["FILEBATCH_PROXY_SHUTDOWN_GRACE", "10s", "how long in-flight requests may take once it stops accepting"],
  ["LOG_LEVEL", "Info", "All, Trace, Debug, Info, Warning, Error, Fatal or None"]
]

export const helpText = (version: string) => {
  const width = Math.max(...settings.map(([name]) => name.length))
  return [
    `filebatch-proxy ${version}: an OpenAI-compatible proxy that holds the OpenAI key and lets clients`,
    "cancel and follow vector store file batches with keys of their own.",
    "",
    "Usage: filebatch-proxy            (configured by environment variables only)",
    "       filebatch-proxy --version  (prints the version)",
    "",
    "Settings:",
    ...settings.map(([name, fallback, meaning]) => `  ${name.padEnd(width)}  ${meaning} (default: ${fallback})`),
    "",
    `Durations: ${DurationText.examples}.`,
    "Routes: /v1/vector_stores/{id}/file_batches/{id}[/cancel], /healthz, /readyz, /metrics, /openapi.json, /docs",
    ""
  ].join("\n")
}
