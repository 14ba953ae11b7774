/**
 * Entry point of `filebatch emulator`: its own bundle inside the CLI's file, loaded only
 * for that subcommand, so the other commands do not initialise a server at every start.
 */
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { CommandHelp } from "@filebatch/cli-kit"
import { EmulatorCommand } from "@filebatch/emulator"
import { Effect } from "effect"
import { version } from "./internal/version.js"

if (process.argv.slice(3).some(CommandHelp.isHelpFlag)) {
  process.stdout.write(CommandHelp.render(EmulatorCommand.command.descriptor, {
    command: "filebatch emulator",
    exitCodes: [[0, "stopped (Ctrl-C, SIGTERM)"], [1, "could not start"], [2, "usage"]],
    footer: "Faults, holding the batches' time and the emulator's API: the README of @filebatch/emulator"
  }))
} else {
  // `filebatch emulator --port 0` arrives as [node, filebatch, "emulator", "--port", "0"].
  EmulatorCommand.run("filebatch emulator", version)(process.argv.filter((_, index) => index !== 2)).pipe(
    Effect.provide(NodeContext.layer),
    NodeRuntime.runMain
  )
}
