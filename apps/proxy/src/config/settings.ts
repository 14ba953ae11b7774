/**
 * Every environment variable the proxy reads, stated once: its name, its default as
 * people read it, what it means, and how it is read. `ProxyConfig`, `bin.ts` and the
 * Redis layer read their settings from here; `filebatch-proxy --help` and the README's
 * table are written from it (test/settings.test.ts checks the README).
 */
import { DurationText, FileBatchConfig } from "@filebatch/core"
import { Config, ConfigError, Duration, Either, LogLevel, Option } from "effect"
import { availableParallelism, tmpdir } from "node:os"
import { join } from "node:path"

/** One setting: what `--help` and the README say of it, and how it is read (absent: read by core). */
export interface Setting<A> {
  readonly name: string
  readonly fallback: string
  readonly meaning: string
  readonly config: Config.Config<A>
}

/** A setting documented here but read elsewhere (core's upstream settings, the keys). */
interface Documented {
  readonly name: string
  readonly fallback: string
  readonly meaning: string
}

const setting = <A>(name: string, fallback: string, meaning: string, config: (name: string) => Config.Config<A>) => ({
  name,
  fallback,
  meaning,
  config: config(name)
})

/** A setting read from text by `parse`, which says what is wrong with a bad value. */
const parsed = <A>(
  name: string,
  fallback: string,
  meaning: string,
  parse: (text: string) => A | undefined,
  expected: string
): Setting<A> =>
  setting(name, fallback, meaning, (name) =>
    Config.string(name).pipe(
      Config.withDefault(fallback),
      Config.mapOrFail((text) => {
        const value = parse(text.trim())
        return value !== undefined
          ? Either.right(value)
          : Either.left(ConfigError.InvalidData([], `${name} must be ${expected} (got ${JSON.stringify(text)})`))
      })
    ))

const whole = (name: string, fallback: number, meaning: string, min = 1): Setting<number> =>
  setting(name, String(fallback), meaning, (name) =>
    Config.integer(name).pipe(
      Config.withDefault(fallback),
      Config.validate({ message: `${name} must be a whole number ≥ ${min}`, validation: (n) => n >= min })
    ))

const port = (name: string, validation: (n: number) => boolean) =>
  Config.integer(name).pipe(
    Config.validate({ message: `${name} must be from 0 (any free port) to 65535`, validation })
  )
const isPort = (n: number) => n >= 0 && n <= 65535

const optional = <A>(config: Config.Config<A>) => config.pipe(Config.option, Config.map(Option.getOrUndefined))

const duration = (
  name: string,
  fallback: Duration.Duration,
  text: string,
  meaning: string,
  options: { readonly allowZero?: boolean } = {}
): Setting<Duration.Duration> =>
  setting(name, text, meaning, (name) => DurationText.config(name, options).pipe(Config.withDefault(fallback)))

const core = FileBatchConfig.envNames
const coreDefaults = FileBatchConfig.defaults

/** The upstream settings, read by core's `FileBatchConfig.layerConfig`. */
const upstream: ReadonlyArray<Documented> = [
  { name: core.apiKey, fallback: "required", meaning: "the upstream OpenAI key, held only by the proxy" },
  {
    name: core.baseUrl,
    fallback: coreDefaults.baseUrl,
    meaning: "the upstream; point it at the emulator to try the proxy"
  },
  { name: core.organization, fallback: "none", meaning: "sent upstream as `OpenAI-Organization`" },
  { name: core.project, fallback: "none", meaning: "sent upstream as `OpenAI-Project`" },
  {
    name: core.timeout,
    fallback: Duration.format(coreDefaults.timeout),
    meaning: "time limit of one upstream attempt"
  },
  {
    name: core.maxRetries,
    fallback: String(coreDefaults.maxRetries),
    meaning: "upstream retries after a failed attempt"
  },
  {
    name: core.deadline,
    fallback: Duration.format(coreDefaults.deadline),
    meaning: "time limit of one upstream call, retries included"
  }
]

/** The client keys, read by `ProxyConfig` (one of the two is required). */
const keys: ReadonlyArray<Documented> = [
  {
    name: "FILEBATCH_PROXY_KEYS",
    fallback: "-",
    meaning:
      "client keys, JSON: `[{\"name\":\"team-a\",\"sha256\":\"<hex>\",\"vectorStores\":[\"vs_…\"] or \"*\"}]`, " +
      "optionally `\"operations\":[\"retrieve\",\"listFiles\"]` or `\"*\"`"
  },
  {
    name: "FILEBATCH_PROXY_KEYS_FILE",
    fallback: "-",
    meaning: "the same JSON in a file (one of the two is required); reloaded on SIGHUP or when the file changes"
  }
]

/** The settings of the proxy's own. */
export const proxy = {
  host: setting(
    "HOST",
    "127.0.0.1",
    "address to listen on (the image sets `0.0.0.0`)",
    (name) => Config.string(name).pipe(Config.withDefault("127.0.0.1"))
  ),
  port: setting(
    "PORT",
    "8080",
    "port to listen on (`0`: any free port)",
    (name) => port(name, isPort).pipe(Config.withDefault(8080))
  ),
  adminPort: setting(
    "FILEBATCH_PROXY_ADMIN_PORT",
    "off",
    "a port of its own (on `HOST`) for `/metrics`, `/healthz`, `/readyz`; `/metrics` then answers 404 on `PORT`",
    (name) => optional(port(name, isPort))
  ),
  rateLimit: setting("FILEBATCH_PROXY_RATE_LIMIT", "off", "requests per client key per window", (name) =>
    optional(
      Config.integer(name).pipe(
        Config.validate({ message: `${name} must be a whole number ≥ 1`, validation: (n) => n >= 1 })
      )
    )),
  rateLimitWindow: duration("FILEBATCH_PROXY_RATE_LIMIT_WINDOW", Duration.seconds(1), "1s", "the rate limit's window"),
  redisUrl: setting(
    "FILEBATCH_PROXY_REDIS_URL",
    "off",
    "`redis://[user:password@]host[:port][/db]`, or `rediss://` for TLS: replicas share rate limits and identical cancels",
    (name) => Config.option(Config.redacted(name))
  ),
  redisFailure: setting(
    "FILEBATCH_PROXY_REDIS_FAILURE",
    "open",
    "while Redis is unreachable, the rate limit admits every request (`open`) or answers 503 (`closed`)",
    (name) => Config.literal("open", "closed")(name).pipe(Config.withDefault("open" as const))
  ),
  lockLease: duration(
    "FILEBATCH_PROXY_LOCK_LEASE",
    Duration.seconds(5),
    "5s",
    "with Redis: the lease of a shared cancel's lock; one its holder stops renewing (it died) is gone after this, " +
      "and the replicas waiting on it call themselves"
  ),
  lockRenew: duration(
    "FILEBATCH_PROXY_LOCK_RENEW",
    Duration.seconds(1),
    "1s",
    "with Redis: how often the holder renews its lock's lease while its call runs (at most half the lease)"
  ),
  auditFile: setting(
    "FILEBATCH_PROXY_AUDIT_FILE",
    "off",
    "without Redis: the audit trail of cancels, creates and deletes, an append-only JSON-lines file (with Redis it is a stream)",
    (name) => optional(Config.string(name))
  ),
  auditStream: setting(
    "FILEBATCH_PROXY_AUDIT_STREAM",
    "filebatch:audit",
    "with Redis: the stream holding the audit trail of cancels, creates and deletes, shared by the replicas",
    (name) => Config.string(name).pipe(Config.withDefault("filebatch:audit"))
  ),
  auditSpool: setting(
    "FILEBATCH_PROXY_AUDIT_SPOOL",
    "$TMPDIR/filebatch-proxy/audit-spool.jsonl",
    "with Redis: the file where audit records wait while Redis is unreachable, added to the stream in order when " +
      "it is back; one per replica (with workers, `<file>.<n>` each); the image sets " +
      "`/var/lib/filebatch/audit-spool.jsonl`, a volume",
    (name) => Config.string(name).pipe(Config.withDefault(join(tmpdir(), "filebatch-proxy", "audit-spool.jsonl")))
  ),
  auditMaxRecords: whole(
    "FILEBATCH_PROXY_AUDIT_MAX_RECORDS",
    1_000_000,
    "the audit trail's retention: the stream keeps about this many records; the file then moves to `<file>.1`"
  ),
  workers: parsed(
    "FILEBATCH_PROXY_WORKERS",
    "1",
    "processes serving `PORT` (`auto`: one per core); more than one needs `FILEBATCH_PROXY_REDIS_URL`",
    (text) =>
      text === "auto" ? availableParallelism() : /^\d+$/.test(text) && Number(text) >= 1 ? Number(text) : undefined,
    "a whole number ≥ 1 or auto"
  ),
  maxUpstreamConcurrency: whole("FILEBATCH_PROXY_MAX_UPSTREAM_CONCURRENCY", 64, "upstream calls in flight at once"),
  maxQueue: whole("FILEBATCH_PROXY_MAX_QUEUE", 256, "calls allowed to wait for one; past it, 503", 0),
  maxBodyBytes: whole(
    "FILEBATCH_PROXY_MAX_BODY_BYTES",
    256 * 1024,
    "larger request bodies get 413 (a create of 2000 file IDs is about 70 KiB)"
  ),
  maxHeaderBytes: whole("FILEBATCH_PROXY_MAX_HEADER_BYTES", 16 * 1024, "larger headers get 431"),
  headersTimeout: duration(
    "FILEBATCH_PROXY_HEADERS_TIMEOUT",
    Duration.seconds(10),
    "10s",
    "time to receive a request's headers"
  ),
  requestTimeout: duration(
    "FILEBATCH_PROXY_REQUEST_TIMEOUT",
    Duration.minutes(3),
    "3m",
    "time to receive a whole request"
  ),
  drainDelay: duration(
    "FILEBATCH_PROXY_DRAIN_DELAY",
    Duration.seconds(5),
    "5s",
    "after SIGTERM, how long `/readyz` fails while requests are still served (`0s`: none)",
    { allowZero: true }
  ),
  shutdownGrace: duration(
    "FILEBATCH_PROXY_SHUTDOWN_GRACE",
    Duration.seconds(10),
    "10s",
    "how long in-flight requests may take once the proxy stops accepting"
  ),
  logLevel: parsed(
    "LOG_LEVEL",
    "Info",
    "`All`, `Trace`, `Debug` (adds each failed upstream attempt), `Info`, `Warning`, `Error`, `Fatal` or `None`",
    (text) => LogLevel.allLevels.find((level) => level.label === text.toUpperCase()),
    `one of ${LogLevel.allLevels.map((level) => level.label).join(", ")}`
  )
}

/** Every setting, in the order `--help` and the README list them. */
export const all: ReadonlyArray<Documented> = [...upstream, ...keys, ...Object.values(proxy)]
