/** What the commands do once their client is provided: one call, following a batch, bulk cancels. */
import { FileSystem } from "@effect/platform"
import {
  cancelMany,
  FileBatch,
  FileBatchBulk,
  FileBatchClient,
  FileBatchError,
  type FileBatchId
} from "@filebatch/core"
import { Effect, Either, Option, Stream } from "effect"
import { text as readAll } from "node:stream/consumers"
import { describeError, ExitCode } from "./exitCode.js"
import { CliFailure, err, out } from "./failure.js"
import { makeProgress, summary } from "./output.js"
import { parsePairs } from "./pairs.js"

/** Prints a followed batch: progress on stderr, the terminal object or summary on stdout. */
export const follow = (
  stream: Stream.Stream<
    FileBatchClient.FileBatchResponse,
    FileBatchError.FileBatchWaitError,
    FileBatchClient.FileBatchClient
  >,
  ref: FileBatchId.FileBatchRef,
  asJson: boolean
) =>
  Effect.gen(function*() {
    const progress = makeProgress(process.stderr)
    const last = yield* stream.pipe(
      // With --json every snapshot is one NDJSON line (`watch` and `cancel --wait` alike).
      Stream.tap((response) =>
        asJson ? out(JSON.stringify(response.json)) : Effect.sync(() => progress.update(response.batch))
      ),
      Stream.runLast,
      Effect.ensuring(Effect.sync(() => progress.done()))
    )
    if (Option.isSome(last) && !asJson) yield* out(summary(process.stdout, last.value.batch))
  }).pipe(
    // Ctrl-C or SIGTERM while following: the batch goes on upstream, which a script must hear.
    Effect.onInterrupt(() =>
      err(
        `filebatch: interrupted: batch ${ref.batchId} may still be running; follow it with ` +
          `'filebatch watch ${ref.vectorStoreId} ${ref.batchId}'`
      )
    )
  )

const readProblems: Partial<Record<string, string>> = {
  NotFound: "no such file",
  PermissionDenied: "permission denied",
  BadResource: "not a file"
}

export const single = (
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

export const bulk = (
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
          new CliFailure({
            code: ExitCode.usage,
            message: `cannot read ${input}: ${
              error._tag === "SystemError" ? readProblems[error.reason] ?? error.reason : error.message
            }`
          })
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
