#!/usr/bin/env node
import { Command, ValidationError } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Console, Effect } from "effect"
import { command } from "./EmulatorCommand.js"
import { libraryVersion } from "./internal/version.js"

const cli = Command.run(command, { name: "filebatch-emulator", version: libraryVersion })

cli(process.argv).pipe(
  Effect.catchAll((error) =>
    // @effect/cli has already printed its own usage errors.
    ValidationError.isValidationError(error)
      ? Effect.sync(() => (process.exitCode = 2))
      : Console.error(`filebatch-emulator: ${error instanceof Error ? error.message : String(error)}`).pipe(
        Effect.zipRight(Effect.sync(() => (process.exitCode = 1)))
      )
  ),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain
)
