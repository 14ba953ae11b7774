/**
 * Entry point of the bundled `filebatch` command: the only place that picks the HTTP
 * client and assembles layers.
 */
import { Command } from "@effect/cli"
import { NodeFileSystem, NodeHttpClient, NodePath, NodeRuntime, NodeTerminal } from "@effect/platform-node"
import { defaultTeardown } from "@effect/platform/Runtime"
import { FileBatchClient, FileBatchConfig } from "@filebatch/core"
import { Cause, Effect, Layer, Logger, LogLevel } from "effect"
import { CliFailure, make } from "./Cli.js"
import { ExitCode } from "./internal/exitCode.js"
import { version } from "./internal/version.js"

const clientLayer = (settings: FileBatchConfig.FileBatchSettings) =>
  FileBatchClient.layer.pipe(
    Layer.provide(Layer.succeed(FileBatchConfig.FileBatchConfig, settings)),
    Layer.provide(NodeHttpClient.layer)
  )

const cli = Command.run(make(clientLayer), { name: "filebatch", version })

// runMain interrupts the program on SIGINT and SIGTERM; which one came decides the exit status.
let interruptedBy: "SIGINT" | "SIGTERM" | undefined
process.once("SIGINT", () => (interruptedBy ??= "SIGINT"))
process.once("SIGTERM", () => (interruptedBy ??= "SIGTERM"))

const fail = (code: number, message: string) =>
  Effect.sync(() => {
    process.stderr.write(`filebatch: ${message}\n`)
    process.exitCode = code
  })

cli(process.argv).pipe(
  Effect.catchAll((error) =>
    error instanceof CliFailure
      ? fail(error.code, error.message)
      // @effect/cli has printed the usage error already.
      : Effect.sync(() => (process.exitCode = ExitCode.usage))
  ),
  Effect.catchAllDefect((defect) => fail(ExitCode.internal, `internal error: ${Cause.pretty(Cause.die(defect))}`)),
  // Logs go to stderr, quiet unless --log-level asks for more.
  Effect.provide(Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger))),
  Logger.withMinimumLogLevel(LogLevel.Warning),
  // What @effect/cli needs, and no more: NodeContext.layer would also bring the command
  // executor and worker modules, initialised at every start for nothing.
  Effect.provide(Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeTerminal.layer)),
  NodeRuntime.runMain({
    disableErrorReporting: true,
    disablePrettyLogger: true,
    // Interrupted by a signal: the shell's convention, 128 + the signal's number, so that
    // `filebatch cancel --wait && next` does not go on as if the batch had stopped.
    teardown: (exit, onExit) =>
      interruptedBy === undefined ? defaultTeardown(exit, onExit) : onExit(interruptedBy === "SIGINT" ? 130 : 143)
  })
)
