/**
 * The proxy's settings, read and checked at start: a missing or malformed value stops
 * it with one message naming the variable; each is declared in `settings.ts`. Upstream settings (`OPENAI_API_KEY`,
 * `OPENAI_BASE_URL`, …) are core's `FileBatchConfig.layerConfig`.
 */
import { Config, ConfigError, Context, type Duration, Either, Layer, Option, ParseResult, Schema } from "effect"
import { readFileSync } from "node:fs"
import { type ClientKeyEntry, ClientKeyList, type Keyring, makeKeyring } from "./ClientKeys.js"
import * as Settings from "./settings.js"

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

const { proxy } = Settings

export const fromEnv: Config.Config<ProxySettings> = Config.all({
  host: proxy.host.config,
  port: proxy.port.config,
  adminPort: proxy.adminPort.config,
  keys: keysConfig,
  rateLimit: proxy.rateLimit.config,
  rateLimitWindow: proxy.rateLimitWindow.config,
  maxUpstreamConcurrency: proxy.maxUpstreamConcurrency.config,
  maxQueue: proxy.maxQueue.config,
  maxBodyBytes: proxy.maxBodyBytes.config,
  maxHeaderBytes: proxy.maxHeaderBytes.config,
  headersTimeout: proxy.headersTimeout.config,
  requestTimeout: proxy.requestTimeout.config,
  drainDelay: proxy.drainDelay.config,
  shutdownGrace: proxy.shutdownGrace.config
}).pipe(Config.map(({ keys, ...rest }) => ({ ...rest, ...keys })))

export const layer = (
  config: Config.Config<ProxySettings> = fromEnv
): Layer.Layer<ProxyConfig, ConfigError.ConfigError> => Layer.effect(ProxyConfig, config)
