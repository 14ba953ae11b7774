#!/usr/bin/env node
import { NodeContext, NodeRuntime } from "@effect/platform-node"
import { Effect } from "effect"
import { run } from "./EmulatorCommand.js"
import { libraryVersion } from "./internal/version.js"

run("filebatch-emulator", libraryVersion)(process.argv).pipe(
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain
)
