/**
 * Entry point of `filebatch emulator`: its own bundle inside the CLI's file, loaded only
 * for that subcommand, so the other commands do not initialise a server at every start.
 */
import { Command, ValidationError } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { EmulatorCommand } from "@filebatch/emulator"
import { Console, Effect } from "effect"
import { version } from "./internal/version.js"

const cli = Command.run(EmulatorCommand.command, { name: "filebatch emulator", version })

// `filebatch emulator --port 0` arrives as [node, filebatch, "emulator", "--port", "0"].
cli(process.argv.filter((_, index) => index !== 2)).pipe(
  Effect.catchAll((error) =>
    // @effect/cli has already printed its own usage errors.
    ValidationError.isValidationError(error)
      ? Effect.sync(() => (process.exitCode = 2))
      : Console.error(`filebatch emulator: ${error instanceof Error ? error.message : String(error)}`).pipe(
        Effect.zipRight(Effect.sync(() => (process.exitCode = 1)))
      )
  ),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain
)
