/** What the commands do once their client is provided: one call, following a batch, bulk cancels. */
import {
  type FileBatch,
  type FileBatchApi,
  FileBatchClient,
  type FileBatchError,
  type FileBatchId
} from "@filebatch/core"
import { Effect, Option, Stream } from "effect"
import { err, out } from "./failure.js"
import { makeProgress, type Output, summary } from "./output.js"

/** Prints a followed batch: progress on stderr, the terminal object or summary on stdout. */
export const follow = (
  stream: Stream.Stream<
    FileBatchClient.FileBatchResponse,
    FileBatchError.FileBatchWaitError,
    FileBatchClient.FileBatchClient
  >,
  ref: FileBatchId.FileBatchRef,
  output: Output
) =>
  Effect.gen(function*() {
    const asJson = output === "json"
    const progress = makeProgress(process.stderr)
    const last = yield* stream.pipe(
      // With --json every snapshot is one NDJSON line (`watch` and `cancel --wait` alike).
      Stream.tap((response) =>
        asJson ? out(JSON.stringify(response.json)) : Effect.sync(() => progress.update(response.batch))
      ),
      Stream.runLast,
      Effect.ensuring(Effect.sync(() => progress.done()))
    )
    if (Option.isSome(last) && !asJson) {
      yield* out(output === "ids" ? last.value.batch.id : summary(process.stdout, last.value.batch))
    }
  }).pipe(
    // Ctrl-C or SIGTERM while following: the batch goes on upstream, which a script must hear.
    Effect.onInterrupt(() =>
      err(
        `filebatch: interrupted: batch ${ref.batchId} may still be running; follow it with ` +
          `'filebatch watch ${ref.vectorStoreId} ${ref.batchId}'`
      )
    )
  )

/** Runs one operation whose answer is a batch and prints it; the batch is returned for the command to add to. */
export const showBatch = (
  operation: typeof FileBatchApi.operations.cancel | typeof FileBatchApi.operations.retrieve,
  ref: FileBatchId.FileBatchRef,
  output: Output
): Effect.Effect<FileBatch.VectorStoreFileBatch, FileBatchError.FileBatchError, FileBatchClient.FileBatchClient> =>
  Effect.gen(function*() {
    const client = yield* FileBatchClient.FileBatchClient
    const response = yield* client.execute(operation, { ref })
    yield* out(
      output === "json"
        ? JSON.stringify(response.json)
        : output === "ids"
        ? response.value.id
        : summary(process.stdout, response.value)
    )
    return response.value
  })
