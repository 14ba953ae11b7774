/** `filebatch cancel`: one batch (optionally followed, with a report of the files it stopped), or many with --from. */
import { Args, Command, Options } from "@effect/cli"
import { FileBatch, FileBatchApi, type FileBatchId, FileBatchWatch } from "@filebatch/core"
import { Effect, Option } from "effect"
import { follow, showBatch } from "../internal/actions.js"
import { bulk, bulkPlan, cancelPlan } from "../internal/bulk.js"
import * as Shared from "../internal/command.js"
import { connectionOptions } from "../internal/connection.js"
import { err } from "../internal/failure.js"
import { writeReport } from "../internal/files.js"
import type { Output } from "../internal/output.js"
import { printPlan } from "../internal/plan.js"

/** One batch cancelled; with `wait`, followed until it stops, and its unfinished files reported. */
const cancelOne = (ref: FileBatchId.FileBatchRef, output: Output, wait: boolean, report: string | undefined) =>
  wait
    ? Effect.zipRight(
      follow(FileBatchWatch.cancelAndWatchResponses(ref), ref, output),
      report === undefined ? Effect.void : writeReport(ref, report)
    )
    : Effect.flatMap(showBatch(FileBatchApi.operations.cancel, ref, output), (batch) =>
      output === "json" || FileBatch.isTerminal(batch) ? Effect.void : err(
        `cancellation is asynchronous: follow it with 'filebatch watch ${ref.vectorStoreId} ${ref.batchId}' or use --wait`
      ))

export const cancel = (clientLayer: Shared.ClientLayer) =>
  Command.make(
    "cancel",
    {
      ...connectionOptions,
      vectorStoreId: Shared.vectorStoreArg.pipe(Args.optional),
      batchId: Shared.batchArg.pipe(Args.optional),
      wait: Options.boolean("wait").pipe(Options.withDescription("Follow the batch until it has stopped")),
      maxWait: Shared.maxWait,
      pollInterval: Shared.pollInterval,
      from: Shared.fromOption(
        "Cancel every batch listed in this file ('-' for stdin): 'vector_store_id batch_id' per line"
      ),
      vectorStore: Options.text("vector-store").pipe(
        Options.withDescription("With --from: the vector store of every listed batch ID"),
        Options.optional
      ),
      concurrency: Shared.concurrencyOption("With --from: cancels in flight at once"),
      dryRun: Options.boolean("dry-run").pipe(
        Options.withDescription("Read the IDs, print the cancels it would send, and send nothing")
      ),
      report: Options.text("report").pipe(
        Options.withDescription(
          "With --wait: write the IDs of the files that did not complete (cancelled or failed) to this file"
        ),
        Options.optional
      ),
      ...Shared.outputOptions
    },
    (options) =>
      Effect.flatMap(Shared.outputOf(options), (output) => {
        const run = Shared.provideClient(clientLayer, options)
        if (Option.isSome(options.from)) {
          if (Option.isSome(options.vectorStoreId) || Option.isSome(options.batchId)) {
            return Shared.usageError("give either IDs or --from, not both")
          }
          const input = options.from.value
          return Effect.flatMap(Shared.checkedConcurrency(options.concurrency), (concurrency) => {
            if (Option.isSome(options.report)) return Shared.usageError("--report goes with one batch, not --from")
            const listed = {
              input,
              vectorStoreId: Option.getOrUndefined(options.vectorStore),
              concurrency,
              output,
              wait: options.wait
            }
            return options.dryRun ? bulkPlan(listed) : run(bulk(listed))
          })
        }
        if (Option.isNone(options.vectorStoreId) || Option.isNone(options.batchId)) {
          return Shared.usageError("give <vector_store_id> <batch_id>, or --from <file|->")
        }
        if (Option.isSome(options.report) && !options.wait) return Shared.usageError("--report goes with --wait")
        const ref = { vectorStoreId: options.vectorStoreId.value, batchId: options.batchId.value }
        return Effect.flatMap(Shared.checkedRef(ref), (checked) =>
          options.dryRun
            ? printPlan(cancelPlan([checked], 1, 0), output)
            : run(cancelOne(checked, output, options.wait, Option.getOrUndefined(options.report))))
      })
  ).pipe(Command.withDescription(Shared.described(
    "Cancel a file batch (or many with --from); --wait follows it until it stops",
    [
      "filebatch cancel vs_abc123 vsfb_abc123 --wait",
      "filebatch cancel vs_abc123 vsfb_abc123 --wait --report not-done.txt",
      "filebatch cancel --from batches.txt --dry-run",
      "filebatch cancel --from batches.txt --concurrency 8 --wait -o ids"
    ]
  )))
