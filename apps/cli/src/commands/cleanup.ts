/** `filebatch cleanup`: detach (or delete) the files a batch left behind, planned first with --dry-run. */
import { Args, Command, Options, Prompt } from "@effect/cli"
import { FileBatch, FileBatchId } from "@filebatch/core"
import { Effect, Option } from "effect"
import {
  type Action,
  checkStore,
  cleanupPlan,
  runCleanup,
  selectByStatus,
  type Selection
} from "../internal/cleanup.js"
import * as Shared from "../internal/command.js"
import { connectionOptions } from "../internal/connection.js"
import { ExitCode } from "../internal/exitCode.js"
import { CliFailure, err, toFailure } from "../internal/failure.js"
import type { FileFilter } from "../internal/files.js"
import { readFileIds } from "../internal/input.js"
import type { Output } from "../internal/output.js"
import { printPlan } from "../internal/plan.js"

const statusList = FileBatch.KnownStatus.literals.join(", ")

/** `cancelled,failed` → the statuses, each one the API knows. */
const statusesOf = (text: string) => {
  const statuses = [...new Set(text.split(",").map((part) => part.trim()).filter((part) => part !== ""))]
  const unknown = statuses.find((status) => !FileBatch.isKnownStatus(status))
  if (statuses.length === 0 || unknown !== undefined) {
    return Shared.usageError(`--status takes ${statusList}, comma-separated (got ${JSON.stringify(text)})`)
  }
  return Effect.succeed(statuses as ReadonlyArray<FileFilter>)
}

const refused = (message: string) => Effect.fail(new CliFailure({ code: ExitCode.usage, message }))

/** Asks on the terminal before Files are deleted from every store; anything but yes sends nothing. */
const confirmDelete = (selection: Selection) =>
  Prompt.confirm({
    message: `Delete ${selection.fileIds.length} File(s)? Each leaves every vector store that holds it, ` +
      `not only ${selection.vectorStoreId}`
  }).pipe(
    Effect.catchAll(() => Effect.succeed(false)),
    Effect.flatMap((yes) => yes ? Effect.void : refused("nothing deleted: not confirmed"))
  )

/** The command line's contradictions and bad values, found before anything is read or sent. */
const checkFlags = (options: {
  readonly vectorStoreId: string
  readonly batchId: Option.Option<string>
  readonly status: Option.Option<string>
  readonly from: Option.Option<string>
  readonly deleteFiles: boolean
  readonly yes: boolean
  readonly dryRun: boolean
  readonly concurrency: number
  readonly report: Option.Option<string>
  readonly json: boolean
  readonly output: Option.Option<Output>
}) =>
  Effect.gen(function*() {
    const output = yield* Shared.outputOf(options)
    if (Option.isSome(options.from) === Option.isSome(options.batchId)) {
      return yield* Shared.usageError("give <batch_id> (its files by --status) or --from <file|->, one of them")
    }
    if (Option.isSome(options.from) && Option.isSome(options.status)) {
      return yield* Shared.usageError("--status chooses a batch's files; --from lists them: give one")
    }
    const concurrency = yield* Shared.checkedConcurrency(options.concurrency)
    const storeProblem = FileBatchId.storeRefProblem({ vectorStoreId: options.vectorStoreId })
    if (storeProblem !== undefined) return yield* Effect.fail(toFailure(storeProblem))
    const action: Action = options.deleteFiles ? "delete" : "detach"
    const interactive = process.stdin.isTTY === true && process.stderr.isTTY === true
    if (action === "delete" && !options.yes && !options.dryRun && !interactive) {
      return yield* refused(
        "--delete-files deletes each File from every vector store: confirm with --yes (no terminal to ask on; " +
          "nothing sent)"
      )
    }
    return { action, concurrency, output, report: Option.getOrUndefined(options.report) }
  })

export const cleanup = (clientLayer: Shared.ClientLayer) =>
  Command.make(
    "cleanup",
    {
      ...connectionOptions,
      vectorStoreId: Shared.vectorStoreArg,
      batchId: Shared.batchArg.pipe(Args.optional),
      status: Options.text("status").pipe(
        Options.withDescription(`The batch's files to clean up, by status: ${statusList} (default cancelled)`),
        Options.optional
      ),
      from: Shared.fromOption("Clean up the file IDs listed here instead ('-' for stdin), as --report writes them"),
      deleteFiles: Options.boolean("delete-files").pipe(
        Options.withDescription("Delete each File too: it leaves EVERY vector store, not only this one")
      ),
      yes: Options.boolean("yes").pipe(
        Options.withDescription("With --delete-files: do not ask (needed where there is no terminal)")
      ),
      concurrency: Shared.concurrencyOption("Requests in flight at once"),
      dryRun: Options.boolean("dry-run").pipe(
        Options.withDescription("Read the files, print what it would send, and send nothing")
      ),
      report: Options.text("report").pipe(
        Options.withDescription("Write the IDs of the files not cleaned up to this file (for --from)"),
        Options.optional
      ),
      ...Shared.outputOptions
    },
    (options) =>
      Effect.gen(function*() {
        const settings = yield* checkFlags(options)
        const { action, output } = settings
        const { vectorStoreId } = options
        const afterSelection = (selection: Selection) =>
          Effect.gen(function*() {
            if (options.dryRun) return yield* printPlan(cleanupPlan(selection, settings), output)
            if (selection.fileIds.length === 0) {
              return yield* err(`nothing to clean up: no ${selection.describe} in ${vectorStoreId}`)
            }
            if (action === "delete" && !options.yes) yield* confirmDelete(selection)
            return yield* runCleanup(selection, settings)
          })
        const run = Shared.provideClient(clientLayer, options)
        if (Option.isSome(options.from)) {
          const fileIds = yield* readFileIds(options.from.value)
          const selection: Selection = { vectorStoreId, fileIds, keptIds: [], describe: "listed files" }
          // A plan of a list needs no key: nothing is read from the API.
          if (options.dryRun) return yield* printPlan(cleanupPlan(selection, settings), output)
          // A detach names the store: a store that is not there must not read as files already gone.
          return yield* run(
            action === "detach"
              ? Effect.zipRight(checkStore(vectorStoreId), afterSelection(selection))
              : afterSelection(selection)
          )
        }
        const statuses = yield* statusesOf(Option.getOrElse(options.status, () => "cancelled"))
        const ref = yield* Shared.checkedRef({ vectorStoreId, batchId: Option.getOrThrow(options.batchId) })
        return yield* run(Effect.flatMap(selectByStatus(ref, statuses), afterSelection))
      })
  ).pipe(Command.withDescription(Shared.described(
    "Detach a batch's leftover files (cancelled by default) from the store, or delete them",
    [
      "filebatch cleanup vs_abc123 vsfb_abc123 --dry-run",
      "filebatch cleanup vs_abc123 vsfb_abc123 --status cancelled,failed --report left.txt",
      "filebatch cleanup vs_abc123 --from left.txt",
      "filebatch cleanup vs_abc123 vsfb_abc123 --delete-files --yes --json"
    ]
  )))
