/**
 * Settings of the file batch client. Core reads them from this service and never from
 * the environment directly: apps decide where they come from.
 *
 * @since 0.1.0
 */
import { Config, ConfigError, Context, Duration, Effect, Either, Layer, Option } from "effect"
import * as DurationText from "./DurationText.js"
import { describeConfigError as describe } from "./internal/configError.js"
import { resolveWith } from "./internal/resolve.js"
import type { FileBatchOptions, FileBatchSettings, SettingNames } from "./internal/settings.js"

/**
 * The settings' types: resolved settings, what callers give, and what each setting is called
 * where it was given. Declared apart, so that the resolver can name them without importing this module.
 *
 * @since 0.1.0
 * @category models
 */
export type { FileBatchOptions, FileBatchSettings, SettingNames } from "./internal/settings.js"

/**
 * The official API endpoint.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultBaseUrl = "https://api.openai.com/v1"

/**
 * Defaults: the official SDK's 2 retries; a minute per attempt, two minutes per call;
 * a 1 s poll and a 10 minute wait.
 *
 * @since 0.1.0
 * @category constants
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
 * @category tags
 */
export class FileBatchConfig extends Context.Tag("@filebatch/core/FileBatchConfig")<
  FileBatchConfig,
  FileBatchSettings
>() {}

/**
 * The options' own names (the default of {@link resolve}).
 *
 * @since 0.2.0
 * @category constants
 */
export const optionNames: SettingNames = {
  apiKey: "apiKey",
  baseUrl: "baseUrl",
  organization: "organization",
  project: "project",
  timeout: "timeout",
  maxRetries: "maxRetries",
  deadline: "deadline",
  pollInterval: "pollInterval",
  maxWait: "maxWait"
}

/**
 * The environment variables read by {@link fromEnv}.
 *
 * @since 0.2.0
 * @category constants
 */
export const envNames: SettingNames = {
  apiKey: "OPENAI_API_KEY",
  baseUrl: "OPENAI_BASE_URL",
  organization: "OPENAI_ORG_ID",
  project: "OPENAI_PROJECT_ID",
  timeout: "FILEBATCH_TIMEOUT",
  maxRetries: "FILEBATCH_MAX_RETRIES",
  deadline: "FILEBATCH_DEADLINE",
  pollInterval: "FILEBATCH_POLL_INTERVAL",
  maxWait: "FILEBATCH_MAX_WAIT"
}

/**
 * Checks options and fills in defaults; `Left` holds a message naming the bad setting
 * as `names` call it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const resolve = (
  options: FileBatchOptions,
  names: SettingNames = optionNames
): Either.Either<FileBatchSettings, string> => resolveWith(options, names, defaults)

const resolveOrFail = (
  options: FileBatchOptions,
  names: SettingNames
): Effect.Effect<FileBatchSettings, ConfigError.ConfigError> =>
  Either.match(resolve(options, names), {
    onLeft: (message) => Effect.fail(ConfigError.InvalidData([], message)),
    onRight: Effect.succeed
  })

/**
 * Settings from options; fails at layer construction with a `ConfigError` naming the bad setting.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: FileBatchOptions,
  names: SettingNames = optionNames
): Layer.Layer<FileBatchConfig, ConfigError.ConfigError> => Layer.effect(FileBatchConfig, resolveOrFail(options, names))

/**
 * The environment variables of the official SDK (`OPENAI_API_KEY`, `OPENAI_BASE_URL`,
 * `OPENAI_ORG_ID`, `OPENAI_PROJECT_ID`), plus `FILEBATCH_TIMEOUT`, `FILEBATCH_MAX_RETRIES`,
 * `FILEBATCH_DEADLINE`, `FILEBATCH_POLL_INTERVAL` and `FILEBATCH_MAX_WAIT`.
 *
 * @since 0.1.0
 * @category config
 */
export const fromEnv: Config.Config<FileBatchOptions> = Config.all({
  // Read as optional, so that a missing key is told as such: Config.redacted's own
  // error would print "<redacted>" in its place.
  apiKey: Config.option(Config.redacted(envNames.apiKey)).pipe(
    Config.mapOrFail((key) =>
      Option.isSome(key)
        ? Either.right(key.value)
        : Either.left(ConfigError.MissingData([], `${envNames.apiKey} is missing: set it to an OpenAI API key`))
    )
  ),
  partial: Config.suspend(() => fromEnvOptional)
}).pipe(Config.map(({ apiKey, partial }) => ({ ...partial, apiKey })))

const optional = <A>(config: Config.Config<A>) => config.pipe(Config.option, Config.map(Option.getOrUndefined))

/**
 * Options of which any may be absent.
 *
 * @since 0.2.0
 * @category models
 */
export type OptionalOptions = { readonly [K in keyof FileBatchOptions]?: FileBatchOptions[K] | undefined }

/**
 * Every setting {@link fromEnv} reads, each optional: for apps that take the key, or
 * any setting, from elsewhere too (the CLI's flags).
 *
 * @since 0.2.0
 * @category config
 */
export const fromEnvOptional: Config.Config<OptionalOptions> = Config.all({
  apiKey: optional(Config.redacted(envNames.apiKey)),
  baseUrl: optional(Config.string(envNames.baseUrl)),
  organization: optional(Config.string(envNames.organization)),
  project: optional(Config.string(envNames.project)),
  timeout: optional(DurationText.config(envNames.timeout)),
  maxRetries: optional(Config.integer(envNames.maxRetries)),
  deadline: optional(DurationText.config(envNames.deadline)),
  pollInterval: optional(DurationText.config(envNames.pollInterval)),
  maxWait: optional(DurationText.config(envNames.maxWait))
})

/**
 * Settings read through `Config` (by default {@link fromEnv}).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config<FileBatchOptions> = fromEnv
): Layer.Layer<FileBatchConfig, ConfigError.ConfigError> =>
  Layer.effect(FileBatchConfig, Effect.flatMap(config, (options) => resolveOrFail(options, envNames)))

/**
 * A `ConfigError` as one line a person can act on: `NAME: problem` for each setting at
 * fault, joined by `; `. Missing settings say so; nothing of a value is shown.
 *
 * @since 0.2.0
 * @category errors
 */
export const describeConfigError: (error: ConfigError.ConfigError) => string = describe
