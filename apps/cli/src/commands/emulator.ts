/**
 * `filebatch emulator …` is dispatched by the launcher to its own bundle before the command
 * tree is built (see build.mjs); this entry lists it in the help.
 */
import { Command } from "@effect/cli"
import { Effect } from "effect"
import { ExitCode } from "../internal/exitCode.js"
import { CliFailure } from "../internal/failure.js"

export const emulator = Command.make(
  "emulator",
  {},
  () =>
    Effect.fail(
      new CliFailure({
        code: ExitCode.usage,
        message: "give 'emulator' first: filebatch emulator [options] (see filebatch emulator --help)"
      })
    )
).pipe(Command.withDescription("Serve a local OpenAI vector store file batch API, with faults on demand"))
