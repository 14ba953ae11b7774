import type { FileBatchError } from "@filebatch/core"
import { Data, Effect } from "effect"
import { describeError, exitCodeOf } from "./exitCode.js"

/** A failure that ends the command with a message on stderr and an exit status. */
export class CliFailure extends Data.TaggedError("CliFailure")<{ readonly code: number; readonly message: string }> {}

/** A line on stdout or stderr. */
export const out = (line: string) => Effect.sync(() => process.stdout.write(`${line}\n`))
export const err = (line: string) => Effect.sync(() => process.stderr.write(`${line}\n`))

export const toFailure = (error: FileBatchError.FileBatchError | FileBatchError.WaitTimeoutError) =>
  new CliFailure({ code: exitCodeOf(error), message: describeError(error) })
