/** Reading a command's list: a file, or standard input for '-'. */
import { FileSystem } from "@effect/platform"
import { FileBatchId } from "@filebatch/core"
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

/** The file IDs of a list, one a line, each checked; repeats are sent once. */
export const parseFileIds = (text: string) => {
  const ids: Array<string> = []
  const seen = new Set<string>()
  const problems: Array<string> = []
  text.split(/\r?\n/).forEach((raw, index) => {
    const id = withoutComment(raw)
    if (id === "") return
    const problem = /\s/.test(id) ? "one file ID a line" : FileBatchId.fileRefProblem({ fileId: id })?.message
    if (problem !== undefined) problems.push(`line ${index + 1}: ${JSON.stringify(id.slice(0, 80))}: ${problem}`)
    else if (!seen.has(id)) {
      seen.add(id)
      ids.push(id)
    }
  })
  return { ids, problems }
}

/** The file IDs listed in `input` (a file, or '-'); a bad line or an empty list is a usage error, and nothing is sent. */
export const readFileIds = (input: string) =>
  Effect.flatMap(readInput(input), (text) => {
    const { ids, problems } = parseFileIds(text)
    const source = input === "-" ? "standard input" : input
    const usage = (message: string) => Effect.fail(new CliFailure({ code: ExitCode.usage, message }))
    if (problems.length > 0) {
      const more = problems.length > 3 ? ` (and ${problems.length - 3} more)` : ""
      return usage(`nothing sent: ${source}: ${problems.slice(0, 3).join("; ")}${more}`)
    }
    return ids.length === 0 ? usage(`no file IDs in ${source}`) : Effect.succeed(ids)
  })
