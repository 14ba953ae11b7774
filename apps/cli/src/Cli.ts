/**
 * The `filebatch` commands. The client layer is handed in by `bin.ts`, which alone
 * chooses the HTTP client.
 */
import { Args, Command, Options } from "@effect/cli"
import { FileSystem } from "@effect/platform"
import {
  cancelMany,
  FileBatch,
  FileBatchBulk,
  FileBatchClient,
  FileBatchConfig,
  FileBatchError,
  FileBatchId,
  FileBatchWatch
} from "@filebatch/core"
import { Data, Effect, Either, type Layer, Option, Stream } from "effect"
import { text as readAll } from "node:stream/consumers"
import { connectionOptions, durationOption, mergeWithEnv, settingNames } from "./internal/connection.js"
import { describeError, ExitCode, exitCodeOf } from "./internal/exitCode.js"
import { makeProgress, summary } from "./internal/output.js"
import { parsePairs } from "./internal/pairs.js"

/** A failure that ends the command with a message on stderr and an exit status. */
export class CliFailure extends Data.TaggedError("CliFailure")<{ readonly code: number; readonly message: string }> {}

/** Builds the client layer from settings already checked. */
export type ClientLayer = (
  settings: FileBatchConfig.FileBatchSettings
) => Layer.Layer<FileBatchClient.FileBatchClient>

const out = (line: string) => Effect.sync(() => process.stdout.write(`${line}\n`))
const err = (line: string) => Effect.sync(() => process.stderr.write(`${line}\n`))

const toFailure = (error: FileBatchError.FileBatchError | FileBatchError.WaitTimeoutError) =>
  new CliFailure({ code: exitCodeOf(error), message: describeError(error) })

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
  return FileBatchConfig.fromEnvOptional.pipe(
    Effect.mapError((error) => usage(`invalid setting: ${FileBatchConfig.describeConfigError(error)}`)),
    Effect.flatMap((fromEnv) => Either.mapLeft(mergeWithEnv(flags, fromEnv), usage)),
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

/** The IDs of a command line, checked once at the edge: nothing is read or sent with bad ones. */
const checkedRef = (ref: FileBatchId.FileBatchRef) =>
  Either.match(FileBatchId.check(ref), { onLeft: (error) => Effect.fail(toFailure(error)), onRight: Effect.succeed })

const json = Options.boolean("json").pipe(
  Options.withDescription("Print the API object exactly as received (NDJSON when several)")
)
const maxWait = durationOption("max-wait", "Give up following after this long (default 10m)")
const pollInterval = durationOption("poll-interval", "Delay between reads unless the server says (default 1s)")
const vectorStoreArg = Args.text({ name: "vector_store_id" }).pipe(Args.withDescription("e.g. vs_abc123"))
const batchArg = Args.text({ name: "batch_id" }).pipe(Args.withDescription("e.g. vsfb_abc123"))

/** Prints a followed batch: progress on stderr, the terminal object or summary on stdout. */
const follow = (
  stream: Stream.Stream<
    FileBatchClient.FileBatchResponse,
    FileBatchError.FileBatchWaitError,
    FileBatchClient.FileBatchClient
  >,
  asJson: boolean,
  everySnapshot: boolean
) =>
  Effect.gen(function*() {
    const progress = makeProgress(process.stderr)
    const last = yield* stream.pipe(
      Stream.tap((response) =>
        asJson && everySnapshot
          ? out(JSON.stringify(response.json))
          : Effect.sync(() => progress.update(response.batch))
      ),
      Stream.runLast,
      Effect.ensuring(Effect.sync(() => progress.done()))
    )
    if (Option.isSome(last)) {
      yield* asJson
        ? everySnapshot ? Effect.void : out(JSON.stringify(last.value.json))
        : out(summary(process.stdout, last.value.batch))
    }
  })

const single = (
  operation: "cancel" | "retrieve",
  ref: { vectorStoreId: string; batchId: string },
  asJson: boolean
) =>
  Effect.gen(function*() {
    const client = yield* FileBatchClient.FileBatchClient
    const response = yield* client.execute(operation, ref)
    if (asJson) {
      yield* out(JSON.stringify(response.json))
      return
    }
    yield* out(summary(process.stdout, response.batch))
    if (operation === "cancel" && !FileBatch.isTerminal(response.batch)) {
      yield* err(
        `cancellation is asynchronous: follow it with 'filebatch watch ${ref.vectorStoreId} ${ref.batchId}' or use --wait`
      )
    }
  })

const bulk = (
  input: string,
  vectorStoreId: string | undefined,
  concurrency: number,
  asJson: boolean
) =>
  Effect.gen(function*() {
    const text = input === "-"
      ? yield* Effect.promise(() => readAll(process.stdin))
      : yield* Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readFileString(input)).pipe(
        Effect.mapError((error) =>
          new CliFailure({ code: ExitCode.usage, message: `cannot read ${input}: ${error.message}` })
        )
      )
    const lines = parsePairs(text, vectorStoreId)
    const refs = lines.flatMap(({ ref }) => Either.isRight(ref) ? [ref.right] : [])
    if (lines.length === 0) {
      return yield* new CliFailure({
        code: ExitCode.usage,
        message: `no batches in ${input === "-" ? "standard input" : input}`
      })
    }
    // Every rejected line is told like a failed cancel: on stdout, with its line number.
    let failed = 0
    for (const { line, ref } of lines) {
      if (Either.isRight(ref)) continue
      failed += 1
      yield* asJson
        ? out(JSON.stringify({ line, error: { type: ref.left._tag, message: ref.left.message } }))
        : out(`✗ line ${line}: ${describeError(ref.left)}`)
    }
    yield* cancelMany(refs, { concurrency }).pipe(
      Stream.runForEach((outcome) =>
        FileBatchBulk.CancelOutcome.$match(outcome, {
          Cancelled: ({ batch, json: raw }) =>
            asJson ? out(JSON.stringify(raw)) : out(`✓ ${summary(process.stdout, batch)}`),
          Failed: ({ error, ref }) => {
            failed += 1
            return asJson
              ? out(JSON.stringify({
                vector_store_id: ref.vectorStoreId,
                batch_id: ref.batchId,
                error: {
                  type: error._tag,
                  message: error.message,
                  // JSON.stringify leaves out the ones that are undefined.
                  status: FileBatchError.statusOf(error),
                  request_id: FileBatchError.requestIdOf(error)
                }
              }))
              : out(`✗ ${ref.batchId} (${ref.vectorStoreId}): ${describeError(error)}`)
          }
        })
      )
    )
    const total = lines.length
    yield* err(`${total} batch${total === 1 ? "" : "es"}: ${total - failed} cancel requested, ${failed} failed`)
    if (failed > 0) {
      return yield* new CliFailure({ code: ExitCode.partial, message: `${failed} of ${total} cancels failed` })
    }
  })

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
        Options.withDescription("With --from: cancels in flight at once"),
        Options.withDefault(8)
      ),
      json
    },
    (options) => {
      const run = provideClient(clientLayer, options)
      if (Option.isSome(options.from)) {
        if (Option.isSome(options.vectorStoreId) || Option.isSome(options.batchId)) {
          return Effect.fail(new CliFailure({ code: ExitCode.usage, message: "give either IDs or --from, not both" }))
        }
        if (options.concurrency < 1 || options.concurrency > 256) {
          return Effect.fail(new CliFailure({ code: ExitCode.usage, message: "--concurrency must be from 1 to 256" }))
        }
        return run(
          bulk(options.from.value, Option.getOrUndefined(options.vectorStore), options.concurrency, options.json)
        )
      }
      if (Option.isNone(options.vectorStoreId) || Option.isNone(options.batchId)) {
        return Effect.fail(
          new CliFailure({ code: ExitCode.usage, message: "give <vector_store_id> <batch_id>, or --from <file|->" })
        )
      }
      return Effect.flatMap(
        checkedRef({ vectorStoreId: options.vectorStoreId.value, batchId: options.batchId.value }),
        (ref) =>
          run(
            options.wait
              ? follow(FileBatchWatch.cancelAndWatchResponses(ref), options.json, false)
              : single("cancel", ref, options.json)
          )
      )
    }
  ).pipe(Command.withDescription("Cancel a file batch (or many with --from); --wait follows it until it stops"))

  const get = Command.make(
    "get",
    { ...connectionOptions, vectorStoreId: vectorStoreArg, batchId: batchArg, json },
    (options) =>
      Effect.flatMap(
        checkedRef(options),
        (ref) => provideClient(clientLayer, options)(single("retrieve", ref, options.json))
      )
  ).pipe(Command.withDescription("Show a file batch"))

  const watch = Command.make(
    "watch",
    { ...connectionOptions, vectorStoreId: vectorStoreArg, batchId: batchArg, maxWait, pollInterval, json },
    (options) =>
      Effect.flatMap(
        checkedRef(options),
        (ref) => provideClient(clientLayer, options)(follow(FileBatchWatch.watchResponses(ref), options.json, true))
      )
  ).pipe(Command.withDescription("Follow a file batch until it has stopped"))

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
    Command.withSubcommands([cancel, get, watch, emulator])
  )
}

type LibraryError = FileBatchError.FileBatchWaitError

const isLibraryError = FileBatchError.isFileBatchWaitError
