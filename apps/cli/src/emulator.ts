/**
 * Entry point of `filebatch emulator`: its own bundle inside the CLI's file, loaded only
 * for that subcommand, so the other commands do not initialise a server at every start.
 */
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { EmulatorCommand } from "@filebatch/emulator"
import { Effect } from "effect"
import { version } from "./internal/version.js"

// `filebatch emulator --port 0` arrives as [node, filebatch, "emulator", "--port", "0"].
EmulatorCommand.run("filebatch emulator", version)(process.argv.filter((_, index) => index !== 2)).pipe(
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain
)
