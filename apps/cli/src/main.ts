/**
 * The `filebatch` program: the only place that picks the HTTP client and assembles
 * layers. Its modules initialise at import; nothing reads the process (arguments,
 * streams, signals) until `main` runs, so that they can be initialised ahead of the
 * run (bench/snapshot.mjs measures a V8 start-up snapshot holding them).
 */
import { CliConfig, Command, CommandDescriptor, HelpDoc, Usage } from "@effect/cli"
// Each from its own module: nothing else of @effect/platform-node is initialised at start.
import { HttpClient } from "@effect/platform"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import { defaultTeardown } from "@effect/platform/Runtime"
import { CommandHelp, Help } from "@filebatch/cli-kit"
import { FileBatchClient, FileBatchConfig } from "@filebatch/core"
import { Tracing } from "@filebatch/telemetry"
import { Cause, Effect, Either, HashMap, Layer, Logger, LogLevel, Option } from "effect"
import { isSea } from "node:sea"
import { CliFailure, commandNames, make } from "./Cli.js"
import { ExitCode, exitCodeMeanings } from "./internal/exitCode.js"
import { version } from "./internal/version.js"

// Connections are kept alive and reused: one TLS handshake per connection, not per request
// (bulk cancels and --wait polls), and never more connections than requests in flight.
const httpLayer = NodeHttpClient.layerWithoutAgent.pipe(
  Layer.provide(NodeHttpClient.makeAgentLayer({ keepAlive: true }))
)

const clientLayer = (settings: FileBatchConfig.FileBatchSettings) =>
  FileBatchClient.layer.pipe(
    Layer.provide(Layer.succeed(FileBatchConfig.FileBatchConfig, settings)),
    // Core's attempt spans carry the trace to the server (traceparent); the platform's own
    // client span below each would only repeat them.
    Layer.provide(Layer.effect(
      HttpClient.HttpClient,
      Effect.map(HttpClient.HttpClient, HttpClient.withTracerDisabledWhen(() => true))
    )),
    Layer.provide(httpLayer)
  )

/**
 * The program in a trace when OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT is set (its command the root
 * span, the spans sent before the process exits); else the program alone, nothing of
 * OpenTelemetry loaded. A bad OTEL_* value is a usage error naming it.
 */
const tracedWhenAsked = <A, E, R>(
  program: Effect.Effect<A, E, R>,
  commandGiven: string | undefined
): Effect.Effect<A, E | CliFailure, R> =>
  Either.match(Tracing.settingsFrom(process.env, "filebatch-cli"), {
    onLeft: (error) =>
      Effect.fail(
        new CliFailure({
          code: ExitCode.usage,
          message: `invalid setting: ${FileBatchConfig.describeConfigError(error)}`
        })
      ),
    onRight: Option.match({
      onNone: () => program,
      onSome: (settings) =>
        program.pipe(
          Effect.withSpan(`filebatch ${commandGiven ?? ""}`.trim()),
          Effect.provide(Tracing.layer(settings, version))
        )
    })
  })

const command = make(clientLayer, httpLayer)
const cli = Command.run(command, { name: "filebatch", version })

/** The flags of the command given, read from its usage, for "did you mean" on a misspelt flag. */
const flagsOfCommandGiven = () =>
  Option.match(HashMap.get(Command.getSubcommands(command), process.argv[2] ?? ""), {
    onNone: () => [],
    onSome: (descriptor) => Help.flagsInUsage(HelpDoc.toAnsiText(Usage.getHelp(CommandDescriptor.getUsage(descriptor))))
  })

const fail = (code: number, message: string) =>
  Effect.sync(() => {
    process.stderr.write(`filebatch: ${message}\n`)
    process.exitCode = code
  })

/** `filebatch <command> --help`: the command's own page, compact as gh's. */
const commandPage = (name: string) =>
  Option.match(HashMap.get(Command.getSubcommands(command), name), {
    onNone: () => "",
    onSome: (descriptor) =>
      CommandHelp.render(descriptor, {
        command: `filebatch ${name}`,
        exitCodes: exitCodeMeanings,
        footer: "Flags of every command (--log-level, --completions…): filebatch --help; " +
          "settings and exit codes in full: the README of @filebatch/cli"
      })
  })

/** The version, and the Node that runs it: the one inside the standalone executable, or the one installed. */
const verboseVersion = () =>
  `filebatch ${version}\nnode ${process.version} ${process.platform}-${process.arch} (${
    isSea() ? "inside this executable" : process.execPath
  })\n`

/** `filebatch --help` beyond its commands. */
const overviewText: Help.OverviewText = {
  program: "filebatch",
  version,
  usage: ["filebatch <command> [arguments] [flags]"],
  flags: {
    heading: "Flags of every command",
    rows: [
      ["-h, --help", "Show a command's flags and examples: filebatch <command> --help"],
      ["--version", "Show filebatch's version"],
      ["--completions SH", "Print a completion script for sh, bash, fish or zsh"],
      ["--log-level LEVEL", "Log at this level and above on stderr (default: warning)"],
      ["--wizard", "Build a command line step by step (needs a terminal)"]
    ]
  },
  examples: [
    "filebatch cancel vs_abc123 vsfb_abc123 --wait --report not-done.txt",
    "filebatch files vs_abc123 vsfb_abc123 --filter cancelled -o ids"
  ],
  footer: ["Settings (OPENAI_API_KEY, OPENAI_BASE_URL, FILEBATCH_*) and exit codes: the README of @filebatch/cli"]
}

/** Runs the command line of this process to its exit. */
export const main = (): void => {
  // runMain interrupts the program on SIGINT and SIGTERM; which one came decides the exit status.
  let interruptedBy: "SIGINT" | "SIGTERM" | undefined
  process.once("SIGINT", () => (interruptedBy ??= "SIGINT"))
  process.once("SIGTERM", () => (interruptedBy ??= "SIGTERM"))

  // @effect/cli's wizard reads a terminal: without one it would wait for ever.
  const wizardWithoutTerminal = process.argv.includes("--wizard") && process.stdin.isTTY !== true

  const commandGiven = process.argv[2]
  const unknownCommand = commandGiven !== undefined && !commandGiven.startsWith("-") &&
    !(commandNames as ReadonlyArray<string>).includes(commandGiven)

  const args = process.argv.slice(2)
  const overviewAsked = args.length === 1 && CommandHelp.isHelpFlag(args[0])
  const pageAsked = commandGiven !== undefined && !unknownCommand && !commandGiven.startsWith("-") &&
    args.some(CommandHelp.isHelpFlag)
  // One line, as gh and kubectl print it (@effect/cli's own adds an empty line after it);
  // with --verbose, the Node it runs on too.
  const versionAsked = args[0] === "--version" && (args.length === 1 || (args.length === 2 && args[1] === "--verbose"))

  const program = overviewAsked
    ? Effect.sync(() => process.stdout.write(Help.overview(command, commandNames, overviewText)))
    : pageAsked
    ? Effect.sync(() => process.stdout.write(commandPage(commandGiven)))
    : versionAsked
    ? Effect.sync(() => process.stdout.write(args.length === 1 ? `${version}\n` : verboseVersion()))
    : wizardWithoutTerminal
    ? Effect.fail(new CliFailure({ code: ExitCode.usage, message: "--wizard needs a terminal on standard input" }))
    : unknownCommand
    ? Effect.fail(
      new CliFailure({
        code: ExitCode.usage,
        message: Help.unknownCommandMessage(commandGiven, commandNames, "filebatch")
      })
    )
    : Help.withCleanConsole(cli(process.argv), "filebatch", flagsOfCommandGiven)

  tracedWhenAsked(program, commandGiven).pipe(
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
    Effect.provide(Layer.mergeAll(
      NodeFileSystem.layer,
      NodePath.layer,
      NodeTerminal.layer,
      // Placeholders such as `text` or `integer` after every option say nothing the descriptions do not.
      CliConfig.layer({ showTypes: false })
    )),
    NodeRuntime.runMain({
      disableErrorReporting: true,
      disablePrettyLogger: true,
      // Interrupted by a signal: the shell's convention, 128 + the signal's number, so that
      // `filebatch cancel --wait && next` does not go on as if the batch had stopped.
      teardown: (exit, onExit) =>
        interruptedBy === undefined ? defaultTeardown(exit, onExit) : onExit(interruptedBy === "SIGINT" ? 130 : 143)
    })
  )
}
