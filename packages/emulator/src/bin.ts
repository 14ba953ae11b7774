#!/usr/bin/env node
import { Command } from "@effect/cli"
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Effect } from "effect"
import { command } from "./EmulatorCommand.js"
import { libraryVersion } from "./internal/version.js"

const cli = Command.run(command, { name: "filebatch-emulator", version: libraryVersion })

cli(process.argv).pipe(Effect.provide(NodeContext.layer), NodeRuntime.runMain({ disableErrorReporting: false }))
