/**
 * `filebatch resubmit`: new batches from a list of file IDs, such as the report that
 * `cancel --wait --report` writes; split to the API's 2000 files a batch and paced for
 * both of its limits: attach requests per vector store, and files per organisation.
 */
import { Command, Options } from "@effect/cli"
import {
  CreateFileBatch,
  type FileBatch,
  FileBatchClient,
  type FileBatchError,
  FileBatchId,
  FileBatchWatch,
  RetryPolicy
} from "@filebatch/core"
import { Config, Effect, Option, RateLimiter, Stream } from "effect"
import * as Shared from "../internal/command.js"
import { connectionOptions } from "../internal/connection.js"
import { describeError, ExitCode } from "../internal/exitCode.js"
import { CliFailure, err, out, toFailure } from "../internal/failure.js"
import { readFileIds } from "../internal/input.js"
import { type Output, summary } from "../internal/output.js"
import { bucketSeconds, type Plan, printPlan, windowSeconds } from "../internal/plan.js"

const chunksOf = <A>(items: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size))

const printBatch = (output: Output, batch: FileBatch.VectorStoreFileBatch, json: unknown) =>
  out(output === "json" ? JSON.stringify(json) : output === "ids" ? batch.id : `✓ ${summary(process.stdout, batch)}`)

/** A create that failed: what it was, and whether it may still have made a batch. */
const failedCreate = (error: FileBatchError.FileBatchError, first: number, last: number, output: Output) => {
  const mayExist = !RetryPolicy.provesNothingDone(error)
  const files = `files ${first}–${last}`
  return output === "json"
    ? out(
      JSON.stringify({
        files: { first, last },
        may_exist: mayExist,
        error: { type: error._tag, message: error.message }
      })
    )
    : err(`✗ ${files}: ${describeError(error)}${
      mayExist
        ? "; the request may have been accepted: check the vector store's batches before sending these again"
        : ""
    }`)
}

/** The batches' sizes: 2000 files at most, and no more than a minute of the files' pace. */
const batchesOf = (ids: ReadonlyArray<string>, filesPerMinute: number) =>
  chunksOf(ids, Math.min(CreateFileBatch.maxFilesPerBatch, filesPerMinute))

/** What `resubmit` would send: its batches, and how long they take at both paces. */
export const resubmitPlan = (vectorStoreId: string, ids: ReadonlyArray<string>, filesPerMinute: number): Plan => {
  const sizes = batchesOf(ids, filesPerMinute).map((batch) => batch.length)
  const seconds = Math.max(
    bucketSeconds(sizes.map(() => 1), CreateFileBatch.attachRequestsPerMinute),
    windowSeconds(sizes, filesPerMinute)
  )
  const shown = sizes.length > 6 ? `${sizes.slice(0, 5).join(", ")}, … ${sizes.at(-1)}` : sizes.join(", ")
  return {
    command: "resubmit",
    requests: { createFileBatch: sizes.length },
    details: [
      `${sizes.length} batch${
        sizes.length === 1 ? "" : "es"
      } of ${shown} files (${ids.length} files) to ${vectorStoreId}`,
      `pace: ${CreateFileBatch.attachRequestsPerMinute} requests a minute per store, ${filesPerMinute} files a minute`
    ],
    seconds,
    json: {
      vector_store_id: vectorStoreId,
      files: ids.length,
      batches: sizes,
      pace: { requests_per_minute: CreateFileBatch.attachRequestsPerMinute, files_per_minute: filesPerMinute }
    }
  }
}

export const resubmitFiles = (
  vectorStoreId: string,
  ids: ReadonlyArray<string>,
  options: { readonly output: Output; readonly wait: boolean; readonly filesPerMinute: number }
) =>
  Effect.gen(function*() {
    const client = yield* FileBatchClient.FileBatchClient
    const requestPace = yield* RateLimiter.make({
      limit: CreateFileBatch.attachRequestsPerMinute,
      interval: "1 minute"
    })
    // The organisation's limit counts files: a batch costs its size, and what does not fit in
    // this minute waits for the next (a token bucket would wake once per file's worth of time).
    const filePace = yield* RateLimiter.make({
      limit: options.filesPerMinute,
      interval: "1 minute",
      algorithm: "fixed-window"
    })
    const chunks = batchesOf(ids, options.filesPerMinute)
    const created: Array<FileBatch.VectorStoreFileBatch> = []
    let first = 1
    for (const fileIds of chunks) {
      const create = client.createFileBatch({ vectorStoreId }, { file_ids: fileIds })
      const result = yield* Effect.either(
        requestPace(filePace(create).pipe(RateLimiter.withCost(fileIds.length)))
      )
      if (result._tag === "Left") {
        yield* failedCreate(result.left, first, first + fileIds.length - 1, options.output)
        if (created.length === 0) return yield* Effect.fail(toFailure(result.left))
        return yield* new CliFailure({
          code: ExitCode.partial,
          message: `${created.length} of ${chunks.length} batches created; files from ${first} on were not submitted`
        })
      }
      first += fileIds.length
      created.push(result.right.batch)
      // With --wait each batch is printed once, as it ends.
      if (!options.wait) yield* printBatch(options.output, result.right.batch, result.right.json)
    }
    if (options.wait) {
      yield* Effect.forEach(created, (batch) =>
        FileBatchWatch.watchResponses({ vectorStoreId, batchId: batch.id }).pipe(
          Stream.runLast,
          Effect.flatMap((last) =>
            Option.isSome(last) ? printBatch(options.output, last.value.batch, last.value.json) : Effect.void
          )
        ), { discard: true })
    }
    yield* err(
      `${created.length} batch${created.length === 1 ? "" : "es"} created for ${ids.length} file${
        ids.length === 1 ? "" : "s"
      }${options.wait ? ", each followed until it stopped" : ""}`
    )
  }).pipe(Effect.scoped)

export const resubmit = (clientLayer: Shared.ClientLayer) =>
  Command.make(
    "resubmit",
    {
      ...connectionOptions,
      vectorStoreId: Shared.vectorStoreArg,
      from: Shared.fromOption(
        "The file IDs to submit, one a line ('-' for stdin), as 'cancel --wait --report' writes them"
      ),
      wait: Options.boolean("wait").pipe(Options.withDescription("Follow each new batch until it has stopped")),
      maxWait: Shared.maxWait,
      pollInterval: Shared.pollInterval,
      filesPerMinute: Options.integer("files-per-minute").pipe(
        Options.withDescription(
          "Files attached a minute, the organisation's limit (default: $FILEBATCH_FILES_PER_MINUTE, else 2000)"
        ),
        Options.withFallbackConfig(Config.integer("FILEBATCH_FILES_PER_MINUTE")),
        Options.withDefault(CreateFileBatch.attachedFilesPerMinute)
      ),
      dryRun: Options.boolean("dry-run").pipe(
        Options.withDescription("Read the list, print the batches and how long they take, and send nothing")
      ),
      ...Shared.outputOptions
    },
    (options) =>
      Effect.gen(function*() {
        const output = yield* Shared.outputOf(options)
        if (Option.isNone(options.from)) return yield* Shared.usageError("give --from <file|->: the file IDs to submit")
        const store = FileBatchId.storeRefProblem({ vectorStoreId: options.vectorStoreId })
        if (store !== undefined) return yield* Effect.fail(toFailure(store))
        const ids = yield* readFileIds(options.from.value)
        if (options.filesPerMinute < 1 || options.filesPerMinute > 1_000_000) {
          return yield* Shared.usageError("--files-per-minute must be from 1 to 1000000")
        }
        if (options.dryRun) {
          return yield* printPlan(resubmitPlan(options.vectorStoreId, ids, options.filesPerMinute), output)
        }
        return yield* Shared.provideClient(clientLayer, options)(
          resubmitFiles(options.vectorStoreId, ids, {
            output,
            wait: options.wait,
            filesPerMinute: options.filesPerMinute
          })
        )
      })
  ).pipe(Command.withDescription(Shared.described(
    "Submit file IDs again (a cancel's --report) as new batches, 2000 each, paced",
    [
      "filebatch cancel vs_abc123 vsfb_abc123 --wait --report not-done.txt",
      "filebatch resubmit vs_abc123 --from not-done.txt --dry-run",
      "filebatch resubmit vs_abc123 --from not-done.txt --wait",
      "filebatch files vs_abc123 vsfb_abc123 --filter failed -o ids | filebatch resubmit vs_abc123 --from - -o ids"
    ]
  )))
