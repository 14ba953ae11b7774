/**
 * The `filebatch` commands. The client layer is handed in by `bin.ts`, which alone
 * chooses the HTTP client.
 */
import { Args, Command, Options } from "@effect/cli"
import { type FileBatchClient, FileBatchConfig, FileBatchError, FileBatchId, FileBatchWatch } from "@filebatch/core"
import { Effect, Either, type Layer, Option } from "effect"
import { follow, single } from "./internal/actions.js"
import { bulk } from "./internal/bulk.js"
import { connectionOptions, durationOption, mergeWithEnv, readApiKeyFile, settingNames } from "./internal/connection.js"
import { ExitCode } from "./internal/exitCode.js"
import { CliFailure, toFailure } from "./internal/failure.js"
import { listFiles, writeReport } from "./internal/files.js"
import { type Output, outputs } from "./internal/output.js"

export { CliFailure } from "./internal/failure.js"

/** Builds the client layer from settings already checked. */
export type ClientLayer = (
  settings: FileBatchConfig.FileBatchSettings
) => Layer.Layer<FileBatchClient.FileBatchClient>

type SettingFlags = Parameters<typeof mergeWithEnv>[0]

/**
 * Provides the client, its settings taken from the flags over core's environment
 * (`OPENAI_*`, `FILEBATCH_*`); a bad or missing setting is a usage error naming the flag
 * and the variable.
 */
const provideClient = (makeLayer: ClientLayer, flags: SettingFlags) =>
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
        Effect.mapError((error) => isLibraryError(error) ? toFailure(error) : error as Exclude<E, LibraryError>)
      )
    )
  )
}

/** A command's description with examples under it. */
const described = (what: string, examples: ReadonlyArray<string>) =>
  `${what}\n\nExamples:\n${examples.map((example) => `  ${example}`).join("\n")}`

/** The names of the commands, for suggestions when one is misspelt. */
export const commandNames = ["cancel", "get", "watch", "files", "emulator"] as const

/** The IDs of a command line, checked once at the edge: nothing is read or sent with bad ones. */
const checkedRef = (ref: FileBatchId.FileBatchRef) =>
  Either.match(FileBatchId.check(ref), { onLeft: (error) => Effect.fail(toFailure(error)), onRight: Effect.succeed })

/** `--output` / `-o`, with `--json` as its short form for `-o json`. */
const outputOptions = {
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
const outputOf = (options: { readonly json: boolean; readonly output: Option.Option<Output> }) =>
  options.json && Option.isSome(options.output) && options.output.value !== "json"
    ? Effect.fail(new CliFailure({ code: ExitCode.usage, message: "give --json or --output, not both" }))
    : Effect.succeed<Output>(options.json ? "json" : Option.getOrElse(options.output, () => "table" as const))
const maxWait = durationOption("max-wait", "Give up following after this long (default 10m)")
const pollInterval = durationOption("poll-interval", "Delay between reads unless the server says (default 1s)")
const vectorStoreArg = Args.text({ name: "vector_store_id" }).pipe(Args.withDescription("e.g. vs_abc123"))
const batchArg = Args.text({ name: "batch_id" }).pipe(Args.withDescription("e.g. vsfb_abc123"))

/** The command tree, given how to build the client. */
export const make = (clientLayer: ClientLayer) => {
  const cancel = Command.make(
    "cancel",
    {
      ...connectionOptions,
      vectorStoreId: vectorStoreArg.pipe(Args.optional),
      batchId: batchArg.pipe(Args.optional),
      wait: Options.boolean("wait").pipe(Options.withDescription("Follow the batch until it has stopped")),
      maxWait,
      pollInterval,
      from: Options.text("from").pipe(
        Options.withDescription(
          "Cancel every batch listed in this file ('-' for stdin): 'vector_store_id batch_id' per line"
        ),
        Options.optional
      ),
      vectorStore: Options.text("vector-store").pipe(
        Options.withDescription("With --from: the vector store of every listed batch ID"),
        Options.optional
      ),
      concurrency: Options.integer("concurrency").pipe(
        Options.withDescription("With --from: cancels in flight at once, 1 to 256 (default 8)"),
        Options.withDefault(8)
      ),
      report: Options.text("report").pipe(
        Options.withDescription(
          "With --wait: write the IDs of the files that did not complete (cancelled or failed) to this file"
        ),
        Options.optional
      ),
      ...outputOptions
    },
    (options) =>
      Effect.flatMap(outputOf(options), (output) => {
        const run = provideClient(clientLayer, options)
        const usage = (message: string) => Effect.fail(new CliFailure({ code: ExitCode.usage, message }))
        if (Option.isSome(options.from)) {
          if (Option.isSome(options.vectorStoreId) || Option.isSome(options.batchId)) {
            return usage("give either IDs or --from, not both")
          }
          if (options.concurrency < 1 || options.concurrency > 256) return usage("--concurrency must be from 1 to 256")
          if (Option.isSome(options.report)) return usage("--report goes with one batch, not --from")
          return run(bulk({
            input: options.from.value,
            vectorStoreId: Option.getOrUndefined(options.vectorStore),
            concurrency: options.concurrency,
            output,
            wait: options.wait
          }))
        }
        if (Option.isNone(options.vectorStoreId) || Option.isNone(options.batchId)) {
          return usage("give <vector_store_id> <batch_id>, or --from <file|->")
        }
        if (Option.isSome(options.report) && !options.wait) return usage("--report goes with --wait")
        return Effect.flatMap(
          checkedRef({ vectorStoreId: options.vectorStoreId.value, batchId: options.batchId.value }),
          (ref) =>
            run(
              options.wait
                ? Effect.zipRight(
                  follow(FileBatchWatch.cancelAndWatchResponses(ref), ref, output),
                  Option.match(options.report, { onNone: () => Effect.void, onSome: (path) => writeReport(ref, path) })
                )
                : single("cancel", ref, output)
            )
        )
      })
  ).pipe(Command.withDescription(described(
    "Cancel a file batch (or many with --from); --wait follows it until it stops",
    [
      "filebatch cancel vs_abc123 vsfb_abc123 --wait",
      "filebatch cancel vs_abc123 vsfb_abc123 --wait --report not-done.txt",
      "filebatch cancel --from batches.txt --concurrency 8 --wait -o ids"
    ]
  )))

  const get = Command.make(
    "get",
    { ...connectionOptions, vectorStoreId: vectorStoreArg, batchId: batchArg, ...outputOptions },
    (options) =>
      Effect.flatMap(
        Effect.zip(checkedRef(options), outputOf(options)),
        ([ref, output]) => provideClient(clientLayer, options)(single("retrieve", ref, output))
      )
  ).pipe(Command.withDescription(described("Show a file batch", ["filebatch get vs_abc123 vsfb_abc123 --json"])))

  const watch = Command.make(
    "watch",
    { ...connectionOptions, vectorStoreId: vectorStoreArg, batchId: batchArg, maxWait, pollInterval, ...outputOptions },
    (options) =>
      Effect.flatMap(
        Effect.zip(checkedRef(options), outputOf(options)),
        ([ref, output]) => provideClient(clientLayer, options)(follow(FileBatchWatch.watchResponses(ref), ref, output))
      )
  ).pipe(Command.withDescription(described("Follow a file batch until it has stopped", [
    "filebatch watch vs_abc123 vsfb_abc123",
    "filebatch watch vs_abc123 vsfb_abc123 --json --max-wait 30m"
  ])))

  const files = Command.make(
    "files",
    {
      ...connectionOptions,
      vectorStoreId: vectorStoreArg,
      batchId: batchArg,
      filter: Options.choice("filter", ["in_progress", "completed", "failed", "cancelled"]).pipe(
        Options.withDescription("Only the files with this status"),
        Options.optional
      ),
      ...outputOptions
    },
    (options) =>
      Effect.flatMap(
        Effect.zip(checkedRef(options), outputOf(options)),
        ([ref, output]) =>
          provideClient(clientLayer, options)(listFiles(ref, Option.getOrUndefined(options.filter), output))
      )
  ).pipe(Command.withDescription(described("List a batch's files, all pages (ID and status; NDJSON with --json)", [
    "filebatch files vs_abc123 vsfb_abc123 --filter cancelled",
    "filebatch files vs_abc123 vsfb_abc123 --filter failed -o ids > failed.txt"
  ])))

  // `filebatch emulator …` is dispatched by the launcher to its own bundle before this
  // tree is built (see build.mjs); this entry lists it in the help.
  const emulator = Command.make(
    "emulator",
    {},
    () =>
      Effect.fail(
        new CliFailure({
          code: ExitCode.usage,
          message: "give 'emulator' first: filebatch emulator [options] (see filebatch emulator --help)"
        })
      )
  ).pipe(Command.withDescription("Serve a local OpenAI vector store file batch API, with faults on demand"))

  return Command.make("filebatch").pipe(
    Command.withDescription("Cancel OpenAI vector store file batches, and know when they have stopped"),
    Command.withSubcommands([cancel, get, watch, files, emulator] as const)
  )
}

type LibraryError = FileBatchError.FileBatchWaitError

const isLibraryError = FileBatchError.isFileBatchWaitError
