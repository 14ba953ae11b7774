/** Which files of a batch did not make it: `filebatch files` and `cancel --wait --report`. */
import { FileSystem } from "@effect/platform"
import {
  type FileBatch,
  type FileBatchClient,
  type FileBatchError,
  type FileBatchId,
  listBatchFilePages,
  listBatchFiles
} from "@filebatch/core"
import { Chunk, Effect, Stream } from "effect"
import { ExitCode } from "./exitCode.js"
import { CliFailure, err, out } from "./failure.js"
import type { Output } from "./output.js"

export type FileFilter = FileBatch.KnownStatus

/** The records of a page exactly as received, fields the schema does not know included. */
const recordsAsReceived = (page: FileBatchClient.FileListResponse): ReadonlyArray<unknown> =>
  (page.json as { readonly data: ReadonlyArray<unknown> }).data

/** Every file of the batch (all pages): ID and status a line each, NDJSON of the records as received, or bare IDs. */
export const listFiles = (ref: FileBatchId.FileBatchRef, filter: FileFilter | undefined, output: Output) =>
  listBatchFilePages(ref, filter === undefined ? {} : { filter }).pipe(
    Stream.runForEach((page) =>
      output === "json"
        ? Effect.forEach(recordsAsReceived(page), (record) => out(JSON.stringify(record)), { discard: true })
        : Effect.forEach(page.list.data, (file) =>
          output === "ids"
            ? out(file.id)
            : out(
              `${file.id}\t${file.status}${
                file.last_error ? `\t${file.last_error.code}: ${file.last_error.message}` : ""
              }`
            ), { discard: true })
    )
  )

/** A report written to `path`; one that cannot be written is a usage error naming it. */
export const writeReportFile = (path: string, text: string) =>
  Effect.flatMap(FileSystem.FileSystem, (fs) => fs.writeFileString(path, text)).pipe(
    Effect.mapError((error) =>
      new CliFailure({ code: ExitCode.usage, message: `cannot write the report ${path}: ${error.message}` })
    )
  )

/**
 * Writes the IDs of the files that did not complete (cancelled or failed), one per line,
 * ready to submit again; says how many and where on stderr.
 */
export const writeReport = (
  ref: FileBatchId.FileBatchRef,
  path: string
): Effect.Effect<
  void,
  CliFailure | FileBatchError.FileBatchError,
  FileBatchClient.FileBatchClient | FileSystem.FileSystem
> =>
  Effect.gen(function*() {
    const ids = (filter: FileFilter) =>
      listBatchFiles(ref, { filter }).pipe(Stream.map((file) => file.id), Stream.runCollect, Effect.map(Chunk.toArray))
    const cancelled = yield* ids("cancelled")
    const failed = yield* ids("failed")
    const lines = [...cancelled, ...failed]
    yield* writeReportFile(path, lines.length === 0 ? "" : `${lines.join("\n")}\n`)
    yield* err(
      `report: ${lines.length} file${lines.length === 1 ? "" : "s"} did not complete ` +
        `(${cancelled.length} cancelled, ${failed.length} failed), IDs in ${path}`
    )
  })
