/** `cancel --from`: many cancels at one pace, each reported, optionally followed until stopped. */
import type { FileSystem } from "@effect/platform"
import {
  cancelMany,
  FileBatch,
  FileBatchBulk,
  type FileBatchClient,
  type FileBatchError,
  type FileBatchId,
  FileBatchWatch
} from "@filebatch/core"
import { Effect, Either, Stream } from "effect"
import { describeError, errorJson, ExitCode } from "./exitCode.js"
import { CliFailure, err, out } from "./failure.js"
import { readInput } from "./input.js"
import { type Output, summary } from "./output.js"
import { parsePairs } from "./pairs.js"
import { type Plan, printPlan } from "./plan.js"

/** What became of one listed batch: its last answer, or why it failed. */
type Result =
  | {
    readonly _tag: "Done"
    readonly ref: FileBatchId.FileBatchRef
    readonly batch: FileBatch.VectorStoreFileBatch
    readonly json: unknown
  }
  | {
    readonly _tag: "Failed"
    readonly ref: FileBatchId.FileBatchRef
    readonly error: FileBatchError.FileBatchWaitError
  }

const errorRecord = (ref: FileBatchId.FileBatchRef, error: FileBatchError.FileBatchWaitError) => ({
  vector_store_id: ref.vectorStoreId,
  batch_id: ref.batchId,
  error: errorJson(error)
})

export interface BulkOptions {
  readonly input: string
  readonly vectorStoreId: string | undefined
  readonly concurrency: number
  readonly output: Output
  /** Follow each cancelled batch until it has stopped. */
  readonly wait: boolean
}

/** What `cancel` would send (one batch is a list of one). */
export const cancelPlan = (
  refs: ReadonlyArray<FileBatchId.FileBatchRef>,
  concurrency: number,
  rejected: number
): Plan => {
  const stores = new Set(refs.map((ref) => ref.vectorStoreId)).size
  return {
    command: "cancel",
    requests: { cancel: refs.length },
    details: [
      `${refs.length} batch${refs.length === 1 ? "" : "es"} in ${stores} vector store${
        stores === 1 ? "" : "s"
      }, ${concurrency} at a time${rejected > 0 ? `; ${rejected} line${rejected === 1 ? "" : "s"} rejected` : ""}`
    ],
    json: { batches: refs.length, vector_stores: stores, concurrency, rejected_lines: rejected }
  }
}

/** The listed batches read and checked; each rejected line told as a failed cancel, with its number. */
const readListed = (options: BulkOptions) =>
  Effect.gen(function*() {
    const { input, output } = options
    const lines = parsePairs(yield* readInput(input), options.vectorStoreId)
    if (lines.length === 0) {
      return yield* new CliFailure({
        code: ExitCode.usage,
        message: `no batches in ${input === "-" ? "standard input" : input}`
      })
    }
    // Bare IDs keep stdout clean for a pipe: what failed goes to stderr then.
    const tell = output === "ids" ? err : out
    let rejected = 0
    for (const { line, ref } of lines) {
      if (Either.isRight(ref)) continue
      rejected += 1
      yield* output === "json"
        ? out(JSON.stringify({ line, error: { type: ref.left._tag, message: ref.left.message } }))
        : tell(`✗ line ${line}: ${describeError(ref.left)}`)
    }
    const refs = lines.flatMap(({ ref }) => Either.isRight(ref) ? [ref.right] : [])
    return { refs, rejected, total: lines.length, tell }
  })

/** `cancel --from --dry-run`: the list read, the plan printed, nothing sent (no key needed). */
export const bulkPlan = (options: BulkOptions): Effect.Effect<void, CliFailure, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const { refs, rejected, total } = yield* readListed(options)
    yield* printPlan(cancelPlan(refs, options.concurrency, rejected), options.output)
    if (rejected > 0) {
      return yield* new CliFailure({ code: ExitCode.usage, message: `${rejected} of ${total} lines rejected` })
    }
  })

export const bulk = (
  options: BulkOptions
): Effect.Effect<void, CliFailure, FileBatchClient.FileBatchClient | FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const { output } = options
    const listed = yield* readListed(options)
    const { refs, tell } = listed
    let failed = listed.rejected
    const stopped: Record<string, number> = {}
    const cancelled = cancelMany(refs, { concurrency: options.concurrency }).pipe(
      Stream.map((outcome): Result =>
        FileBatchBulk.CancelOutcome.$match(outcome, {
          Cancelled: ({ batch, json, ref }): Result => ({ _tag: "Done", ref, batch, json }),
          Failed: ({ error, ref }): Result => ({ _tag: "Failed", ref, error })
        })
      )
    )
    // With --wait, each cancelled batch is followed to its end, as many at once as cancels.
    const results = options.wait
      ? Stream.mapEffect(cancelled, (result) =>
        result._tag === "Failed" || FileBatch.isTerminal(result.batch)
          ? Effect.succeed(result)
          : FileBatchWatch.watchResponses(result.ref).pipe(
            Stream.runLast,
            Effect.map((last): Result =>
              last._tag === "Some" ? { ...result, batch: last.value.batch, json: last.value.json } : result
            ),
            Effect.catchAll((error) => Effect.succeed<Result>({ _tag: "Failed", ref: result.ref, error }))
          ), { concurrency: options.concurrency, unordered: true })
      : cancelled
    yield* Stream.runForEach(results, (result) => {
      if (result._tag === "Failed") {
        failed += 1
        return output === "json"
          ? out(JSON.stringify(errorRecord(result.ref, result.error)))
          : tell(`✗ ${result.ref.batchId} (${result.ref.vectorStoreId}): ${describeError(result.error)}`)
      }
      // Each batch is counted once, by its last answer.
      stopped[result.batch.status] = (stopped[result.batch.status] ?? 0) + 1
      return output === "json"
        ? out(JSON.stringify(result.json))
        : output === "ids"
        ? out(result.batch.id)
        : out(`✓ ${summary(process.stdout, result.batch)}`)
    })
    const total = listed.total
    const done = total - failed
    const byStatus = Object.entries(stopped).map(([status, count]) => `${count} ${status}`).join(", ")
    yield* err(
      `${total} batch${total === 1 ? "" : "es"}: ${
        options.wait ? `${done} stopped (${byStatus || "none"})` : `${done} cancel requested`
      }, ${failed} failed`
    )
    if (failed > 0) {
      return yield* new CliFailure({ code: ExitCode.partial, message: `${failed} of ${total} cancels failed` })
    }
  })
