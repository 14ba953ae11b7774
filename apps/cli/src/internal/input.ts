/** Reading a command's list: a file, or standard input for '-'. */
import { FileSystem } from "@effect/platform"
import { Effect } from "effect"
import { text as readAll } from "node:stream/consumers"
import { ExitCode } from "./exitCode.js"
import { CliFailure } from "./failure.js"

const readProblems: Partial<Record<string, string>> = {
  NotFound: "no such file",
  PermissionDenied: "permission denied",
  BadResource: "not a file"
}

/** The whole text of `input`; a file that cannot be read is a usage error saying why. */
export const readInput = (input: string) =>
  input === "-"
    ? Effect.promise(() => readAll(process.stdin))
    : Effect.flatMap(FileSystem.FileSystem, (fs) => fs.readFileString(input)).pipe(
      Effect.mapError((error) =>
        new CliFailure({
          code: ExitCode.usage,
          message: `cannot read ${input}: ${
            error._tag === "SystemError" ? readProblems[error.reason] ?? error.reason : error.message
          }`
        })
      )
    )

/** `#` starts a comment at the start of a line or after white space, so that it can never cut an ID short. */
export const withoutComment = (line: string) => line.replace(/(^|\s)#.*$/, "").trim()
