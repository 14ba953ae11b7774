/**
 * Settings of the file batch client. Core reads them from this service and never from
 * the environment directly: apps decide where they come from.
 *
 * @since 0.1.0
 */
import { Config, ConfigError, Context, Duration, Effect, Either, Layer, Option, Redacted } from "effect"

/**
 * The official API endpoint.
 *
 * @since 0.1.0
 */
export const defaultBaseUrl = "https://api.openai.com/v1"

/**
 * Resolved settings.
 *
 * @since 0.1.0
 */
export interface FileBatchSettings {
  readonly apiKey: Redacted.Redacted<string>
  /** API root without a trailing slash, e.g. `https://api.openai.com/v1`. */
  readonly baseUrl: string
  readonly organization: Option.Option<string>
  readonly project: Option.Option<string>
  /** Time limit of one HTTP attempt, body included. */
  readonly timeout: Duration.Duration
  /** Retries after the first attempt. */
  readonly maxRetries: number
  /** Time limit of one call, all attempts and retry delays included. */
  readonly deadline: Duration.Duration
  /** Poll interval when following a batch, unless the server sends `openai-poll-after-ms`. */
  readonly pollInterval: Duration.Duration
  /** How long following a batch may take before it fails with a `WaitTimeoutError`. */
  readonly maxWait: Duration.Duration
}

/**
 * What callers give; everything but the key has a default.
 *
 * @since 0.1.0
 */
export interface FileBatchOptions {
  readonly apiKey: Redacted.Redacted<string> | string
  readonly baseUrl?: string | undefined
  readonly organization?: string | undefined
  readonly project?: string | undefined
  readonly timeout?: Duration.DurationInput | undefined
  readonly maxRetries?: number | undefined
  readonly deadline?: Duration.DurationInput | undefined
  readonly pollInterval?: Duration.DurationInput | undefined
  readonly maxWait?: Duration.DurationInput | undefined
}

/**
 * Defaults: the official SDK's 2 retries; a minute per attempt, two minutes per call;
 * a 1 s poll and a 10 minute wait.
 *
 * @since 0.1.0
 */
export const defaults = {
  baseUrl: defaultBaseUrl,
  timeout: Duration.seconds(60),
  maxRetries: 2,
  deadline: Duration.minutes(2),
  pollInterval: Duration.seconds(1),
  maxWait: Duration.minutes(10)
} as const

/**
 * The settings service.
 *
 * @since 0.1.0
 */
export class FileBatchConfig extends Context.Tag("@filebatch/core/FileBatchConfig")<
  FileBatchConfig,
  FileBatchSettings
>() {}

const optionalText = (value: string | undefined): Option.Option<string> =>
  value === undefined || value.trim() === "" ? Option.none() : Option.some(value.trim())

const positiveDuration = (name: string, input: Duration.DurationInput): Either.Either<Duration.Duration, string> => {
  const decoded = Duration.decodeUnknown(input)
  if (Option.isNone(decoded) || !Duration.isFinite(decoded.value) || Duration.toMillis(decoded.value) <= 0) {
    return Either.left(`${name} must be a positive duration`)
  }
  return Either.right(decoded.value)
}

/**
 * Checks options and fills in defaults; `Left` holds a message naming the bad setting.
 *
 * @since 0.1.0
 */
export const resolve = (options: FileBatchOptions): Either.Either<FileBatchSettings, string> =>
  Either.gen(function*() {
    const apiKey = Redacted.isRedacted(options.apiKey) ? options.apiKey : Redacted.make(options.apiKey)
    const key = Redacted.value(apiKey).trim()
    if (key === "") return yield* Either.left("apiKey must not be empty")
    if (/[\s\u0000-\u001f\u007f]/.test(key)) {
      return yield* Either.left("apiKey must not contain spaces or control characters")
    }
    const baseUrl = (options.baseUrl ?? defaults.baseUrl).trim().replace(/\/+$/, "")
    let url: URL
    try {
      url = new URL(baseUrl)
    } catch {
      return yield* Either.left(`baseUrl ${JSON.stringify(baseUrl)} is not a URL`)
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      return yield* Either.left(`baseUrl must use http or https (got ${url.protocol})`)
    }
    if (url.username !== "" || url.password !== "") {
      return yield* Either.left("baseUrl must not contain credentials")
    }
    const maxRetries = options.maxRetries ?? defaults.maxRetries
    if (!Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > 20) {
      return yield* Either.left("maxRetries must be a whole number from 0 to 20")
    }
    return {
      apiKey: Redacted.make(key),
      baseUrl,
      organization: optionalText(options.organization),
      project: optionalText(options.project),
      timeout: yield* positiveDuration("timeout", options.timeout ?? defaults.timeout),
      maxRetries,
      deadline: yield* positiveDuration("deadline", options.deadline ?? defaults.deadline),
      pollInterval: yield* positiveDuration("pollInterval", options.pollInterval ?? defaults.pollInterval),
      maxWait: yield* positiveDuration("maxWait", options.maxWait ?? defaults.maxWait)
    }
  })

const resolveOrFail = (options: FileBatchOptions): Effect.Effect<FileBatchSettings, ConfigError.ConfigError> =>
  Either.match(resolve(options), {
    onLeft: (message) => Effect.fail(ConfigError.InvalidData([], message)),
    onRight: Effect.succeed
  })

/**
 * Settings from options; fails at layer construction with a `ConfigError` naming the bad setting.
 *
 * @since 0.1.0
 */
export const layer = (options: FileBatchOptions): Layer.Layer<FileBatchConfig, ConfigError.ConfigError> =>
  Layer.effect(FileBatchConfig, resolveOrFail(options))

/**
 * The environment variables of the official SDK (`OPENAI_API_KEY`, `OPENAI_BASE_URL`,
 * `OPENAI_ORG_ID`, `OPENAI_PROJECT_ID`), plus `FILEBATCH_TIMEOUT`, `FILEBATCH_MAX_RETRIES`,
 * `FILEBATCH_DEADLINE`, `FILEBATCH_POLL_INTERVAL` and `FILEBATCH_MAX_WAIT`.
 *
 * @since 0.1.0
 */
export const fromEnv: Config.Config<FileBatchOptions> = Config.all({
  apiKey: Config.redacted("OPENAI_API_KEY"),
  baseUrl: Config.string("OPENAI_BASE_URL").pipe(Config.option, Config.map(Option.getOrUndefined)),
  organization: Config.string("OPENAI_ORG_ID").pipe(Config.option, Config.map(Option.getOrUndefined)),
  project: Config.string("OPENAI_PROJECT_ID").pipe(Config.option, Config.map(Option.getOrUndefined)),
  timeout: Config.duration("FILEBATCH_TIMEOUT").pipe(Config.option, Config.map(Option.getOrUndefined)),
  maxRetries: Config.integer("FILEBATCH_MAX_RETRIES").pipe(Config.option, Config.map(Option.getOrUndefined)),
  deadline: Config.duration("FILEBATCH_DEADLINE").pipe(Config.option, Config.map(Option.getOrUndefined)),
  pollInterval: Config.duration("FILEBATCH_POLL_INTERVAL").pipe(Config.option, Config.map(Option.getOrUndefined)),
  maxWait: Config.duration("FILEBATCH_MAX_WAIT").pipe(Config.option, Config.map(Option.getOrUndefined))
})

/**
 * Settings read through `Config` (by default {@link fromEnv}).
 *
 * @since 0.1.0
 */
export const layerConfig = (
  config: Config.Config<FileBatchOptions> = fromEnv
): Layer.Layer<FileBatchConfig, ConfigError.ConfigError> =>
  Layer.effect(FileBatchConfig, Effect.flatMap(config, resolveOrFail))
