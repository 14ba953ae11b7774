/**
 * The proxy's settings, read and checked at start: a missing or malformed value stops
 * it with one message naming the variable. Upstream settings (`OPENAI_API_KEY`,
 * `OPENAI_BASE_URL`, …) are core's `FileBatchConfig.layerConfig`.
 */
import { DurationText } from "@filebatch/core"
import { Config, ConfigError, Context, Duration, Either, Layer, Option, ParseResult, Schema } from "effect"
import { readFileSync } from "node:fs"
import { type ClientKeyEntry, ClientKeyList, type Keyring, makeKeyring } from "./ClientKeys.js"

export interface ProxySettings {
  readonly host: string
  readonly port: number
  /** A port of its own for `/metrics` (and health), so that metrics need not face clients. */
  readonly adminPort: number | undefined
  readonly keyring: Keyring
  /** The keys file, when the keys come from one: reloaded on SIGHUP or when it changes. */
  readonly keysFile: string | undefined
  /** Requests per key per `rateLimitWindow`, as a token bucket; undefined: no limit. */
  readonly rateLimit: number | undefined
  readonly rateLimitWindow: Duration.Duration
  /** Upstream calls in flight at once, and calls allowed to wait for one. */
  readonly maxUpstreamConcurrency: number
  readonly maxQueue: number
  readonly maxBodyBytes: number
  readonly maxHeaderBytes: number
  /** Time allowed to receive a request's headers (and, at most, its whole request). */
  readonly headersTimeout: Duration.Duration
  readonly requestTimeout: Duration.Duration
  /**
   * After SIGTERM/SIGINT, how long `/readyz` fails while new connections are still served,
   * so that a load balancer stops sending before the proxy stops accepting.
   */
  readonly drainDelay: Duration.Duration
  /** How long in-flight requests may take to finish once the proxy stops accepting. */
  readonly shutdownGrace: Duration.Duration
}

export class ProxyConfig extends Context.Tag("@filebatch/proxy/ProxyConfig")<ProxyConfig, ProxySettings>() {}

const decodeKeys = (source: string, text: string) =>
  Either.try(() => JSON.parse(text) as unknown).pipe(
    Either.mapLeft(() => `${source}: not valid JSON`),
    Either.flatMap((json) =>
      Schema.decodeUnknownEither(ClientKeyList)(json).pipe(
        Either.mapLeft((error) =>
          `${source}: ${
            ParseResult.ArrayFormatter.formatErrorSync(error)
              .map((issue) => `${issue.path.length > 0 ? `${issue.path.join(".")}: ` : ""}${issue.message}`)
              .join("; ")
          }`
        )
      )
    )
  )

/** Reads and checks the keys file: its entries, or the message saying why not. */
export const readKeysFile = (path: string): Either.Either<ReadonlyArray<ClientKeyEntry>, string> => {
  const source = `FILEBATCH_PROXY_KEYS_FILE (${path})`
  let text: string
  try {
    text = readFileSync(path, "utf8")
  } catch (error) {
    const denied = (error as NodeJS.ErrnoException).code === "EACCES"
      ? ` (this process runs as uid ${process.getuid?.()}: make the file readable by it, e.g. mode 0444)`
      : ""
    return Either.left(`${source}: cannot read: ${(error as Error).message}${denied}`)
  }
  return decodeKeys(source, text)
}

const keysConfig: Config.Config<{ keyring: Keyring; keysFile: string | undefined }> = Config.all({
  inline: Config.option(Config.string("FILEBATCH_PROXY_KEYS")),
  file: Config.option(Config.string("FILEBATCH_PROXY_KEYS_FILE"))
}).pipe(
  Config.mapOrFail(({ file, inline }) => {
    const invalid = (message: string) => Either.left(ConfigError.InvalidData([], message))
    if (Option.isNone(inline) && Option.isNone(file)) {
      return invalid(
        "FILEBATCH_PROXY_KEYS (JSON) or FILEBATCH_PROXY_KEYS_FILE (path) is required: " +
          "a JSON list of {name, sha256 (hex SHA-256 of the client key), vectorStores (IDs, or * for all)}"
      )
    }
    const entries = Option.isSome(inline)
      ? decodeKeys("FILEBATCH_PROXY_KEYS", inline.value)
      : readKeysFile(Option.getOrThrow(file))
    return Either.match(entries, {
      onLeft: invalid,
      onRight: (entries) =>
        Either.right({
          keyring: makeKeyring(entries),
          keysFile: Option.isSome(inline) ? undefined : Option.getOrUndefined(file)
        })
    })
  })
)

const positiveInt = (name: string, fallback: number) =>
  Config.integer(name).pipe(
    Config.withDefault(fallback),
    Config.validate({ message: `${name} must be a whole number ≥ 1`, validation: (n) => n >= 1 })
  )

const duration = (name: string, fallback: Duration.DurationInput, options: { readonly allowZero?: boolean } = {}) =>
  DurationText.config(name, options).pipe(Config.withDefault(Duration.decode(fallback)))

export const fromEnv: Config.Config<ProxySettings> = Config.all({
  host: Config.string("HOST").pipe(Config.withDefault("127.0.0.1")),
  port: Config.integer("PORT").pipe(
    Config.withDefault(8080),
    Config.validate({
      message: "PORT must be from 0 (any free port) to 65535",
      validation: (n) => n >= 0 && n <= 65535
    })
  ),
  adminPort: Config.integer("FILEBATCH_PROXY_ADMIN_PORT").pipe(
    Config.validate({
      message: "FILEBATCH_PROXY_ADMIN_PORT must be from 0 (any free port) to 65535",
      validation: (n) => n >= 0 && n <= 65535
    }),
    Config.option,
    Config.map(Option.getOrUndefined)
  ),
  keys: keysConfig,
  rateLimit: Config.integer("FILEBATCH_PROXY_RATE_LIMIT").pipe(
    Config.validate({ message: "FILEBATCH_PROXY_RATE_LIMIT must be a whole number ≥ 1", validation: (n) => n >= 1 }),
    Config.option,
    Config.map(Option.getOrUndefined)
  ),
  rateLimitWindow: duration("FILEBATCH_PROXY_RATE_LIMIT_WINDOW", "1 second"),
  maxUpstreamConcurrency: positiveInt("FILEBATCH_PROXY_MAX_UPSTREAM_CONCURRENCY", 64),
  maxQueue: Config.integer("FILEBATCH_PROXY_MAX_QUEUE").pipe(
    Config.withDefault(256),
    Config.validate({ message: "FILEBATCH_PROXY_MAX_QUEUE must be 0 or more", validation: (n) => n >= 0 })
  ),
  maxBodyBytes: positiveInt("FILEBATCH_PROXY_MAX_BODY_BYTES", 16 * 1024),
  maxHeaderBytes: positiveInt("FILEBATCH_PROXY_MAX_HEADER_BYTES", 16 * 1024),
  headersTimeout: duration("FILEBATCH_PROXY_HEADERS_TIMEOUT", "10 seconds"),
  requestTimeout: duration("FILEBATCH_PROXY_REQUEST_TIMEOUT", "3 minutes"),
  drainDelay: duration("FILEBATCH_PROXY_DRAIN_DELAY", "5 seconds", { allowZero: true }),
  shutdownGrace: duration("FILEBATCH_PROXY_SHUTDOWN_GRACE", "10 seconds")
}).pipe(Config.map(({ keys, ...rest }) => ({ ...rest, ...keys })))

export const layer = (
  config: Config.Config<ProxySettings> = fromEnv
): Layer.Layer<ProxyConfig, ConfigError.ConfigError> => Layer.effect(ProxyConfig, config)
