/**
 * `filebatch resubmit`: new batches from a list of file IDs, such as the report that
 * `cancel --wait --report` writes; split to the API's 2000 files a batch and paced for
 * its limit of attach requests per vector store.
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
import { Effect, Option, RateLimiter, Stream } from "effect"
import * as Shared from "../internal/command.js"
import { connectionOptions } from "../internal/connection.js"
import { describeError, ExitCode } from "../internal/exitCode.js"
import { CliFailure, err, out, toFailure } from "../internal/failure.js"
import { readInput, withoutComment } from "../internal/input.js"
import { type Output, summary } from "../internal/output.js"

/** The file IDs of a list, one a line, each checked; repeats are sent once. */
const parseFileIds = (text: string) => {
  const ids: Array<string> = []
  const seen = new Set<string>()
  const problems: Array<string> = []
  text.split(/\r?\n/).forEach((raw, index) => {
    const id = withoutComment(raw)
    if (id === "") return
    const problem = /\s/.test(id) ? "one file ID a line" : FileBatchId.idProblem(id)
    if (problem !== undefined) problems.push(`line ${index + 1}: ${JSON.stringify(id.slice(0, 80))}: ${problem}`)
    else if (!seen.has(id)) {
      seen.add(id)
      ids.push(id)
    }
  })
  return { ids, problems }
}

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

const resubmitFiles = (
  vectorStoreId: string,
  ids: ReadonlyArray<string>,
  options: { readonly output: Output; readonly wait: boolean }
) =>
  Effect.gen(function*() {
    const client = yield* FileBatchClient.FileBatchClient
    const paced = yield* RateLimiter.make({ limit: CreateFileBatch.attachRequestsPerMinute, interval: "1 minute" })
    const chunks = chunksOf(ids, CreateFileBatch.maxFilesPerBatch)
    const created: Array<FileBatch.VectorStoreFileBatch> = []
    for (const [index, fileIds] of chunks.entries()) {
      const first = index * CreateFileBatch.maxFilesPerBatch + 1
      const result = yield* Effect.either(paced(client.createFileBatch({ vectorStoreId }, { file_ids: fileIds })))
      if (result._tag === "Left") {
        yield* failedCreate(result.left, first, first + fileIds.length - 1, options.output)
        if (created.length === 0) return yield* Effect.fail(toFailure(result.left))
        return yield* new CliFailure({
          code: ExitCode.partial,
          message: `${created.length} of ${chunks.length} batches created; files from ${first} on were not submitted`
        })
      }
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
      ...Shared.outputOptions
    },
    (options) =>
      Effect.gen(function*() {
        const output = yield* Shared.outputOf(options)
        if (Option.isNone(options.from)) return yield* Shared.usageError("give --from <file|->: the file IDs to submit")
        const store = FileBatchId.storeRefProblem({ vectorStoreId: options.vectorStoreId })
        if (store !== undefined) return yield* Effect.fail(toFailure(store))
        const input = options.from.value
        const { ids, problems } = parseFileIds(yield* readInput(input))
        const source = input === "-" ? "standard input" : input
        if (problems.length > 0) {
          const more = problems.length > 3 ? ` (and ${problems.length - 3} more)` : ""
          return yield* Shared.usageError(`nothing sent: ${source}: ${problems.slice(0, 3).join("; ")}${more}`)
        }
        if (ids.length === 0) return yield* Shared.usageError(`no file IDs in ${source}`)
        return yield* Shared.provideClient(clientLayer, options)(
          resubmitFiles(options.vectorStoreId, ids, { output, wait: options.wait })
        )
      })
  ).pipe(Command.withDescription(Shared.described(
    "Submit file IDs again (a cancel's --report) as new batches, 2000 each, paced",
    [
      "filebatch cancel vs_abc123 vsfb_abc123 --wait --report not-done.txt",
      "filebatch resubmit vs_abc123 --from not-done.txt --wait",
      "filebatch files vs_abc123 vsfb_abc123 --filter failed -o ids | filebatch resubmit vs_abc123 --from - -o ids"
    ]
  )))
