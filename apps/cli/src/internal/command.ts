/**
 * What every command shares: the client provided from flags over the environment, the
 * output flags, the ID arguments, and descriptions with examples.
 */
import { Args, Options } from "@effect/cli"
import { type FileBatchClient, FileBatchConfig, FileBatchError, FileBatchId } from "@filebatch/core"
import { Effect, Either, type Layer, Option } from "effect"
import { durationOption, mergeWithEnv, readApiKeyFile, settingNames } from "./connection.js"
import { ExitCode } from "./exitCode.js"
import { CliFailure, toFailure } from "./failure.js"
import { type Output, outputs } from "./output.js"

/** Builds the client layer from settings already checked. */
export type ClientLayer = (
  settings: FileBatchConfig.FileBatchSettings
) => Layer.Layer<FileBatchClient.FileBatchClient>

type SettingFlags = Parameters<typeof mergeWithEnv>[0]

type LibraryError = FileBatchError.FileBatchWaitError

/**
 * Provides the client, its settings taken from the flags over core's environment
 * (`OPENAI_*`, `FILEBATCH_*`); a bad or missing setting is a usage error naming the flag
 * and the variable. Core's errors become the failure and exit status they mean.
 */
export const provideClient = (makeLayer: ClientLayer, flags: SettingFlags) =>
<A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, CliFailure | Exclude<E, LibraryError>, Exclude<R, FileBatchClient.FileBatchClient>> => {
  const usage = (message: string) => new CliFailure({ code: ExitCode.usage, message })
  // A key from --api-key-file stands in for --api-key (which wins when both are given).
  const keyFromFile = Option.isNone(flags.apiKey) && Option.isSome(flags.apiKeyFile)
    ? readApiKeyFile(flags.apiKeyFile.value).pipe(Effect.mapError(usage), Effect.map(Option.some))
    : Effect.succeed(flags.apiKey)
  return Effect.all([FileBatchConfig.fromEnvOptional, keyFromFile]).pipe(
    Effect.mapError((error) =>
      error instanceof CliFailure ? error : usage(`invalid setting: ${FileBatchConfig.describeConfigError(error)}`)
    ),
    Effect.flatMap(([fromEnv, apiKey]) => Either.mapLeft(mergeWithEnv({ ...flags, apiKey }, fromEnv), usage)),
    Effect.flatMap((options) =>
      Either.mapLeft(FileBatchConfig.resolve(options, settingNames), (message) => usage(`invalid setting: ${message}`))
    ),
    Effect.flatMap((settings) =>
      Effect.provide(effect, makeLayer(settings)).pipe(
        Effect.mapError((error) =>
          FileBatchError.isFileBatchWaitError(error) ? toFailure(error) : error as Exclude<E, LibraryError>
        )
      )
    )
  )
}

/** A command's description with examples under it; its first line is its summary in `filebatch --help`. */
export const described = (what: string, examples: ReadonlyArray<string>) =>
  `${what}\n\nExamples:\n${examples.map((example) => `  ${example}`).join("\n")}`

/** A usage error: the command line contradicts itself or lacks something. */
export const usageError = (message: string) => Effect.fail(new CliFailure({ code: ExitCode.usage, message }))

/** The IDs of a command line, checked once at the edge: nothing is read or sent with bad ones. */
export const checkedRef = (ref: FileBatchId.FileBatchRef) =>
  Either.match(FileBatchId.check(ref), { onLeft: (error) => Effect.fail(toFailure(error)), onRight: Effect.succeed })

/** `--output` / `-o`, with `--json` as its short form for `-o json`. */
export const outputOptions = {
  json: Options.boolean("json").pipe(Options.withDescription("Same as --output json")),
  output: Options.choice("output", outputs).pipe(
    Options.withAlias("o"),
    Options.withDescription(
      "table: lines for people (the default); json: the API's objects as received (NDJSON when several); " +
        "ids: bare IDs, one per line, for pipes"
    ),
    Options.optional
  )
}

/** The output asked for; `--json` with another `--output` is a contradiction, not a choice. */
export const outputOf = (options: { readonly json: boolean; readonly output: Option.Option<Output> }) =>
  options.json && Option.isSome(options.output) && options.output.value !== "json"
    ? usageError("give --json or --output, not both")
    : Effect.succeed<Output>(options.json ? "json" : Option.getOrElse(options.output, () => "table" as const))

export const maxWait = durationOption("max-wait", "Give up following after this long (default 10m)")
export const pollInterval = durationOption("poll-interval", "Delay between reads unless the server says (default 1s)")
export const vectorStoreArg = Args.text({ name: "vector_store_id" }).pipe(Args.withDescription("e.g. vs_abc123"))
export const batchArg = Args.text({ name: "batch_id" }).pipe(Args.withDescription("e.g. vsfb_abc123"))

/** `--concurrency`: requests in flight at once, 8 unless told; see {@link checkedConcurrency}. */
export const concurrencyOption = (what: string) =>
  Options.integer("concurrency").pipe(
    Options.withDescription(`${what}, 1 to 256 (default 8)`),
    Options.withDefault(8)
  )

/** The concurrency given, or the usage error saying its bounds. */
export const checkedConcurrency = (concurrency: number) =>
  concurrency < 1 || concurrency > 256
    ? usageError("--concurrency must be from 1 to 256")
    : Effect.succeed(concurrency)

/** `--from <file|->`: where a command reads its list. */
export const fromOption = (what: string) => Options.text("from").pipe(Options.withDescription(what), Options.optional)
