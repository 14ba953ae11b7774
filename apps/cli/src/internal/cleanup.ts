/**
 * `filebatch cleanup`: the files a batch left behind, chosen by status (only those the store
 * still holds in that status: a file attached again by a later batch is left alone) or from a
 * list, detached from the store, or with `--delete-files` deleted as Files, at the shared 429
 * pace. A 404 counts as done, so running it again finishes what an interruption left.
 */
import {
  FileBatchApi,
  FileBatchBulk,
  FileBatchClient,
  type FileBatchError,
  type FileBatchId,
  listBatchFiles,
  listVectorStoreFiles
} from "@filebatch/core"
import { Effect, Stream } from "effect"
import { describeError, errorJson, ExitCode } from "./exitCode.js"
import { CliFailure, err, out } from "./failure.js"
import { type FileFilter, writeReportFile } from "./files.js"
import type { Output } from "./output.js"
import type { Plan } from "./plan.js"

/** What is cleaned up: the files, and how many of the batch's were left alone. */
export interface Selection {
  readonly vectorStoreId: string
  readonly fileIds: ReadonlyArray<string>
  /** In the batch with a chosen status, but the store holds them otherwise now (attached again). */
  readonly keptIds: ReadonlyArray<string>
  readonly describe: string
}

/** What becomes of each file. */
export type Action = "detach" | "delete"

export interface CleanupOptions {
  readonly action: Action
  readonly concurrency: number
  readonly output: Output
  readonly report: string | undefined
}

const idsOf = (
  files: Stream.Stream<{ readonly id: string }, FileBatchError.FileBatchError, FileBatchClient.FileBatchClient>
) => Stream.runFold(files, new Set<string>(), (ids, file) => ids.add(file.id))

/**
 * The batch's files of the statuses, kept only where the store holds them in one of those
 * statuses still: what the batch's list says of a file that a later batch attached again is
 * no longer what the store holds.
 */
export const selectByStatus = (ref: FileBatchId.FileBatchRef, statuses: ReadonlyArray<FileFilter>) =>
  Effect.gen(function*() {
    const inBatch = new Set<string>()
    const inStore = new Set<string>()
    for (const filter of statuses) {
      for (const id of yield* idsOf(listBatchFiles(ref, { filter }))) inBatch.add(id)
    }
    // The store's list is read only when the batch has files to clean up: a store may hold many.
    for (const filter of inBatch.size > 0 ? statuses : []) {
      for (const id of yield* idsOf(listVectorStoreFiles(ref, { filter }))) inStore.add(id)
    }
    const fileIds = [...inBatch].filter((id) => inStore.has(id))
    const keptIds = [...inBatch].filter((id) => !inStore.has(id))
    return {
      vectorStoreId: ref.vectorStoreId,
      fileIds,
      keptIds,
      describe: `${statuses.join(" or ")} files of batch ${ref.batchId}`
    } satisfies Selection
  })

const operationOf = (action: Action) =>
  action === "detach" ? FileBatchApi.operations.deleteVectorStoreFile : FileBatchApi.operations.deleteFile

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`

/** What `cleanup` would send. */
export const cleanupPlan = (selection: Selection, options: CleanupOptions): Plan => ({
  command: "cleanup",
  requests: { [operationOf(options.action).name]: selection.fileIds.length },
  details: [
    `${plural(selection.fileIds.length, "file")}: ${selection.describe} in ${selection.vectorStoreId}`,
    ...(selection.keptIds.length > 0
      ? [`${plural(selection.keptIds.length, "file")} left alone: attached again since, the store holds them otherwise`]
      : []),
    options.action === "delete"
      ? "each File deleted: it leaves every vector store that holds it, not only this one"
      : "each detached from the store; the Files themselves are kept",
    `${options.concurrency} at a time, slower for a while after a 429`
  ],
  json: {
    vector_store_id: selection.vectorStoreId,
    action: options.action,
    files: selection.fileIds.length,
    left_alone: selection.keptIds.length,
    concurrency: options.concurrency
  }
})

type Outcome = "detached" | "deleted" | "already_gone" | "failed"

/** How each action is told: its outcome when done, and the word of the count while it runs. */
const words = {
  detach: { done: "detached", going: "detaching" },
  delete: { done: "deleted", going: "deleting" }
} as const satisfies Record<Action, { readonly done: Outcome; readonly going: string }>

/** The record of one file: a JSON line, or a bare ID when done (stdout); a failure for people (stderr). */
const printOutcome = (
  fileId: string,
  action: Action,
  outcome: Outcome,
  error: FileBatchError.FileBatchError | undefined,
  output: Output
) => {
  if (output === "json") {
    return out(JSON.stringify({
      file_id: fileId,
      action,
      outcome,
      ...(error === undefined ? {} : { error: errorJson(error) })
    }))
  }
  if (error !== undefined) return err(`✗ ${fileId}: ${describeError(error)}`)
  // For people, the count and the summary say it; a line per file is for pipes.
  return output === "ids" ? out(fileId) : Effect.void
}

/** The files not cleaned up, one a line, ready for `cleanup --from`; said on stderr. */
const writeLeft = (path: string, vectorStoreId: string, left: ReadonlyArray<string>) =>
  writeReportFile(
    path,
    `# not cleaned up in ${vectorStoreId}: finish with 'filebatch cleanup ${vectorStoreId} --from ${path}'\n` +
      left.map((id) => `${id}\n`).join("")
  ).pipe(Effect.zipRight(err(`report: ${plural(left.length, "file")} not cleaned up, IDs in ${path}`)))

/**
 * Shows the count on stderr: redrawn in place on a terminal; elsewhere (a log) one timestamped
 * line at each tenth of a long run (100 files or more), as `cancel --wait` logs its changes.
 */
const makeCounter = (total: number, action: Action) => {
  const tty = process.stderr.isTTY === true
  let shown = false
  let tenths = 0
  return {
    update: (counts: Readonly<Record<Outcome, number>>) => {
      const settled = counts.detached + counts.deleted + counts.already_gone + counts.failed
      const text = `${words[action].going} ${settled}/${total} · ` +
        `${counts.already_gone} already gone · ${counts.failed} failed`
      if (tty) {
        process.stderr.write(`\r\x1b[2K${text}`)
        shown = true
      } else if (total >= 100 && settled < total && Math.floor((settled * 10) / total) > tenths) {
        tenths = Math.floor((settled * 10) / total)
        process.stderr.write(`${new Date().toISOString()} ${text}\n`)
      }
    },
    done: () => {
      if (shown) process.stderr.write("\r\x1b[2K")
    }
  }
}

/**
 * Fails with the store's 404 when it does not exist: a detach of a file in a store that is not
 * there is a 404 too, which would otherwise count as done.
 */
export const checkStore = (vectorStoreId: string) =>
  Effect.flatMap(
    FileBatchClient.FileBatchClient,
    (client) => client.listVectorStoreFiles({ vectorStoreId }, { limit: 1 })
  )

/** Every selected file detached or deleted at the shared pace, each told as it ends. */
export const runCleanup = (selection: Selection, options: CleanupOptions) =>
  Effect.gen(function*() {
    const { action, output } = options
    const { fileIds, vectorStoreId } = selection
    const done = new Set<string>()
    const counts: Record<Outcome, number> = { detached: 0, deleted: 0, already_gone: 0, failed: 0 }
    const counter = makeCounter(fileIds.length, action)
    const left = () => fileIds.filter((id) => !done.has(id))
    const { done: doneOutcome } = words[action]
    const summary = () =>
      `${plural(fileIds.length, "file")}: ${
        counts[doneOutcome]
      } ${doneOutcome}, ${counts.already_gone} already gone, ${counts.failed} failed` +
      (selection.keptIds.length > 0 ? `; ${selection.keptIds.length} left alone (attached again since)` : "")
    const outcomes: Stream.Stream<
      FileBatchBulk.ExecuteOutcome<{ readonly ref: { readonly fileId: string } }, unknown>,
      never,
      FileBatchClient.FileBatchClient
    > = action === "detach"
      ? FileBatchBulk.executeMany(
        FileBatchApi.operations.deleteVectorStoreFile,
        fileIds.map((fileId) => ({ ref: { vectorStoreId, fileId } })),
        { concurrency: options.concurrency }
      )
      : FileBatchBulk.executeMany(
        FileBatchApi.operations.deleteFile,
        fileIds.map((fileId) => ({ ref: { fileId } })),
        { concurrency: options.concurrency }
      )
    yield* Stream.runForEach(outcomes, (outcome) => {
      const fileId = outcome.input.ref.fileId
      // A 404 is done: an earlier run, or another hand, removed it already.
      const gone = outcome._tag === "Failed" && outcome.error._tag === "NotFoundError"
      const result: Outcome = outcome._tag === "Done"
        ? doneOutcome
        : gone
        ? "already_gone"
        : "failed"
      counts[result] += 1
      if (result !== "failed") done.add(fileId)
      counter.update(counts)
      return printOutcome(
        fileId,
        action,
        result,
        outcome._tag === "Failed" && !gone ? outcome.error : undefined,
        output
      )
    }).pipe(
      Effect.ensuring(Effect.sync(() => counter.done())),
      // Ctrl-C: what was done is told, and the rest written where a second run can take it.
      Effect.onInterrupt(() =>
        Effect.zipRight(
          err(`filebatch: interrupted: ${summary()}; ${left().length} not done: run the same command again to finish`),
          options.report === undefined ? Effect.void : Effect.ignore(writeLeft(options.report, vectorStoreId, left()))
        )
      )
    )
    yield* err(summary())
    if (options.report !== undefined) yield* writeLeft(options.report, vectorStoreId, left())
    if (counts.failed > 0) {
      return yield* new CliFailure({
        code: ExitCode.partial,
        message: `${counts.failed} of ${fileIds.length} files not cleaned up`
      })
    }
  })
