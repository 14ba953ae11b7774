import { HelpDoc, Options, ValidationError } from "@effect/cli"
import { DurationText, FileBatchConfig } from "@filebatch/core"
import { type Duration, Effect, Either, Option, Redacted } from "effect"
import { readFile } from "node:fs/promises"
import { text } from "node:stream/consumers"

/** A duration option such as `--timeout 30s`, in core's one grammar. */
export const durationOption = (name: string, description: string) =>
  Options.text(name).pipe(
    Options.withDescription(`${description} (${DurationText.examples}; a bare number is seconds)`),
    Options.mapEffect((text) =>
      Either.match(DurationText.parseFor(`--${name}`, text), {
        onLeft: (message) => Effect.fail(ValidationError.invalidValue(HelpDoc.p(message))),
        onRight: Effect.succeed
      })
    ),
    Options.optional
  )

const env = FileBatchConfig.envNames

/** Connection options shared by every command that talks to the API; each falls back to core's environment. */
export const connectionOptions = {
  apiKey: Options.redacted("api-key").pipe(
    Options.withDescription(`OpenAI API key (default: $${env.apiKey}); never printed`),
    Options.optional
  ),
  apiKeyFile: Options.text("api-key-file").pipe(
    Options.withDescription(
      "Read the API key from this file ('-': standard input), so it is in no shell history or ps"
    ),
    Options.optional
  ),
  baseUrl: Options.text("base-url").pipe(
    Options.withDescription(`API base URL (default: $${env.baseUrl}, else ${FileBatchConfig.defaultBaseUrl})`),
    Options.optional
  ),
  organization: Options.text("org").pipe(
    Options.withDescription(`OpenAI organization (default: $${env.organization})`),
    Options.optional
  ),
  project: Options.text("project").pipe(
    Options.withDescription(`OpenAI project (default: $${env.project})`),
    Options.optional
  ),
  maxRetries: Options.integer("max-retries").pipe(
    Options.withDescription(`Retries after a failed attempt (default: $${env.maxRetries}, else 2)`),
    Options.optional
  ),
  timeout: durationOption("timeout", `Time limit of one HTTP attempt (default: $${env.timeout}, else 60s)`)
}

/** How the CLI names each setting in a message: the flag and the environment variable it falls back to. */
export const settingNames: FileBatchConfig.SettingNames = {
  apiKey: `--api-key / --api-key-file / ${env.apiKey}`,
  baseUrl: `--base-url / ${env.baseUrl}`,
  organization: `--org / ${env.organization}`,
  project: `--project / ${env.project}`,
  timeout: `--timeout / ${env.timeout}`,
  maxRetries: `--max-retries / ${env.maxRetries}`,
  deadline: env.deadline,
  pollInterval: `--poll-interval / ${env.pollInterval}`,
  maxWait: `--max-wait / ${env.maxWait}`
}

const flagOrEnv = <A>(flag: Option.Option<A>, fromEnv: A | undefined): A | undefined =>
  Option.getOrElse(flag, () => fromEnv)

/** Flags over the environment: the options core resolves, or the message saying what is missing. */
export const mergeWithEnv = (
  flags: ConnectionOptions & {
    readonly maxWait?: Option.Option<Duration.Duration>
    readonly pollInterval?: Option.Option<Duration.Duration>
  },
  fromEnv: FileBatchConfig.OptionalOptions
): Either.Either<FileBatchConfig.FileBatchOptions, string> => {
  const apiKey = flagOrEnv(flags.apiKey, fromEnv.apiKey)
  if (apiKey === undefined) return Either.left(`no API key: pass --api-key or --api-key-file, or set ${env.apiKey}`)
  return Either.right({
    apiKey,
    baseUrl: flagOrEnv(flags.baseUrl, fromEnv.baseUrl),
    organization: flagOrEnv(flags.organization, fromEnv.organization),
    project: flagOrEnv(flags.project, fromEnv.project),
    maxRetries: flagOrEnv(flags.maxRetries, fromEnv.maxRetries),
    timeout: flagOrEnv(flags.timeout, fromEnv.timeout),
    deadline: fromEnv.deadline,
    pollInterval: flagOrEnv(flags.pollInterval ?? Option.none(), fromEnv.pollInterval),
    maxWait: flagOrEnv(flags.maxWait ?? Option.none(), fromEnv.maxWait)
  })
}

/** The connection flags as parsed. */
export interface ConnectionOptions {
  readonly apiKey: Option.Option<Redacted.Redacted>
  readonly apiKeyFile: Option.Option<string>
  readonly baseUrl: Option.Option<string>
  readonly organization: Option.Option<string>
  readonly project: Option.Option<string>
  readonly maxRetries: Option.Option<number>
  readonly timeout: Option.Option<Duration.Duration>
}

/** The key in a file (or standard input for `-`), its surrounding white space trimmed; never shown. */
export const readApiKeyFile = (path: string): Effect.Effect<Redacted.Redacted, string> =>
  Effect.tryPromise({
    try: () => path === "-" ? text(process.stdin) : readFile(path, "utf8"),
    catch: (error) =>
      `--api-key-file: cannot read ${path === "-" ? "standard input" : path}: ${
        (error as NodeJS.ErrnoException).code ?? (error as Error).message
      }`
  }).pipe(
    Effect.map((content) => content.trim()),
    Effect.filterOrFail(
      (key) => key !== "",
      () => `--api-key-file: ${path === "-" ? "standard input" : path} is empty`
    ),
    Effect.map(Redacted.make)
  )
