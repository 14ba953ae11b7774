/**
 * The emulator as a command: `filebatch-emulator` on its own, or a subcommand of the
 * `filebatch` CLI. It listens until SIGINT or SIGTERM and then closes every connection.
 *
 * @since 0.1.0
 */
import { Command, Options, ValidationError } from "@effect/cli"
import { FileSystem } from "@effect/platform"
import { Console, Effect, Either, Option } from "effect"
import * as Emulator from "./Emulator.js"
import { defaultKey } from "./EmulatorConfig.js"
import { decodePlanJson, type FaultRule } from "./Fault.js"

const port = Options.integer("port").pipe(
  Options.withDefault(4010),
  Options.withDescription("Port to listen on (0: any free port; default 4010)")
)
const host = Options.text("host").pipe(
  Options.withDefault("127.0.0.1"),
  Options.withDescription("Address to bind; loopback unless told otherwise")
)
const keys = Options.text("key").pipe(
  Options.repeated,
  Options.withDescription(`Accepted API key, repeatable (default ${defaultKey})`)
)
const integer = (name: string, fallback: number, description: string) =>
  Options.integer(name).pipe(Options.withDefault(fallback), Options.withDescription(description))
const fileMillis = integer("file-ms", 200, "Time to process one file, in milliseconds")
const parallelism = integer("parallelism", 10, "Files processed at once per batch")
const failureRatio = Options.float("failure-ratio").pipe(
  Options.withDefault(0),
  Options.withDescription("Share of files that fail, 0 to 1")
)
const cancelDelayMillis = integer("cancel-delay-ms", 500, "Time from a cancel to the batch being `cancelled`")
const cancellingStatus = Options.choice("cancelling-status", ["in_progress", "cancelling"]).pipe(
  Options.withDefault("in_progress" as const),
  Options.withDescription("Status shown while a cancel is under way")
)
const cancelTerminal = Options.choice("cancel-terminal", ["unchanged", "error"]).pipe(
  Options.withDefault("unchanged" as const),
  Options.withDescription("Cancelling a finished batch: return it unchanged, or answer 400")
)
const pollAfterMillis = integer("poll-after-ms", 1000, "openai-poll-after-ms header on batch reads (0: none)")
const rateLimitPerMinute = Options.integer("rate-limit").pipe(
  Options.optional,
  Options.withDescription("Requests per minute per key; unlimited when absent")
)
const objectType = Options.choice("object-type", ["vector_store.files_batch", "vector_store.file_batch"]).pipe(
  Options.withDefault("vector_store.files_batch" as const),
  Options.withDescription("Spelling of the batch's `object` field")
)
const holdProgress = Options.boolean("hold").pipe(
  Options.withDescription("Start with batch progress held; move it with POST /__emulator/progress")
)
const faults = Options.file("faults", { exists: "yes" }).pipe(
  Options.optional,
  Options.withDescription("JSON file with a fault rule or an array of rules, armed at start")
)

const readPlan = (path: string) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readFileString(path)).pipe(
    Effect.flatMap((text) =>
      Either.match(decodePlanJson(text), {
        onLeft: (problem) => Effect.fail(new Error(`invalid fault plan ${path}: ${problem}`)),
        onRight: (plan): Effect.Effect<ReadonlyArray<FaultRule>> => Effect.succeed(plan)
      })
    )
  )

/**
 * `filebatch-emulator [options]`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const command = Command.make(
  "emulator",
  {
    port,
    host,
    keys,
    fileMillis,
    parallelism,
    failureRatio,
    cancelDelayMillis,
    cancellingStatus,
    cancelTerminal,
    pollAfterMillis,
    rateLimitPerMinute,
    objectType,
    holdProgress,
    faults
  },
  (options) =>
    Effect.gen(function*() {
      const plan = Option.isSome(options.faults) ? yield* readPlan(options.faults.value) : []
      const emulator = yield* Emulator.make({
        ...options,
        rateLimitPerMinute: Option.getOrUndefined(options.rateLimitPerMinute),
        faults: plan
      })
      yield* Console.log(`filebatch emulator listening on ${emulator.url}`)
      return yield* Effect.never
    }).pipe(Effect.scoped)
).pipe(Command.withDescription("Serve a local OpenAI vector store file batch API, with faults on demand"))

/**
 * The command as a program over `argv` (shaped like `process.argv`), named `name` in its
 * help and messages. A usage error (already printed by @effect/cli) sets exit status 2;
 * any other failure prints one line on stderr and sets 1.
 *
 * @since 0.1.0
 * @category operations
 */
export const run = (name: string, version: string) => (argv: ReadonlyArray<string>) =>
  Command.run(command, { name, version })(argv).pipe(
    Effect.catchAll((error) =>
      ValidationError.isValidationError(error)
        ? Effect.sync(() => (process.exitCode = 2))
        : Console.error(`${name}: ${error instanceof Error ? error.message : String(error)}`).pipe(
          Effect.zipRight(Effect.sync(() => (process.exitCode = 1)))
        )
    )
  )
