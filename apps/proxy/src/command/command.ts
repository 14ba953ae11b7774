/**
 * `filebatch-proxy`'s command line, parsed by @effect/cli like `filebatch`'s, in the same help
 * style: with no arguments it serves (configured by environment variables only; bin.ts runs
 * that without loading this module), and `audit verify` checks an audit trail's chain.
 */
import { CliConfig, Command, CommandDescriptor, HelpDoc, Options, Usage } from "@effect/cli"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import { CommandHelp, Help } from "@filebatch/cli-kit"
import { DurationText } from "@filebatch/core"
import { Effect, Layer, Option, Redacted } from "effect"
import * as Settings from "../config/settings.js"
import { version } from "../ops/version.js"
import { verifyTrail } from "./verifyTrail.js"

const { auditStream, redisUrl } = Settings.proxy

/** A usage error, printed as @effect/cli prints its own (exit status 2). */
class UsageError extends Error {}

const verify = Command.make("verify", {
  files: Options.text("file").pipe(
    Options.withDescription(
      "A trail file, oldest first; repeat for rotated files (--file trail.jsonl.1 --file trail.jsonl)"
    ),
    Options.repeated
  ),
  redisUrl: Options.redacted("redis-url").pipe(
    Options.withDescription(`The Redis of a stream trail (default: ${redisUrl.name} when no --file is given)`),
    Options.optional
  ),
  stream: Options.text("stream").pipe(
    Options.withDescription("The stream's key"),
    Options.withDefault(auditStream.fallback)
  )
}, ({ files, redisUrl: flag, stream }) =>
  Effect.gen(function*() {
    const url = Option.isSome(flag)
      ? Redacted.value(flag.value)
      : files.length === 0
      ? process.env[redisUrl.name]
      : undefined
    if ((files.length === 0) === (url === undefined)) {
      return yield* Effect.fail(new UsageError("give --file (one or more) or --redis-url"))
    }
    const status = yield* Effect.promise(() =>
      verifyTrail(url === undefined ? { _tag: "Files", paths: files } : { _tag: "Stream", url, stream })
    )
    process.exitCode = status
  })).pipe(
    Command.withDescription(
      "Check that each record's hash matches its content and follows the record before it; name the first that " +
        "does not. Exit status 0: intact; 1: broken; 2: usage or read error.\n\nExamples:\n" +
        "  filebatch-proxy audit verify --file trail.jsonl.1 --file trail.jsonl\n" +
        "  filebatch-proxy audit verify --redis-url redis://127.0.0.1:6379"
    )
  )

const audit = Command.make(
  "audit",
  {},
  () =>
    Effect.fail(
      new UsageError("say what to do: filebatch-proxy audit verify (see filebatch-proxy audit verify --help)")
    )
).pipe(
  Command.withDescription("Check the audit trail's chain (audit verify)"),
  Command.withSubcommands([verify])
)

/** The command tree; `serve` is the proxy itself. */
export const make = <E, R>(serve: Effect.Effect<void, E, R>) =>
  Command.make("filebatch-proxy", {}, () => serve).pipe(
    Command.withDescription(
      "An OpenAI-compatible proxy that holds the OpenAI key and lets clients cancel and follow vector store file batches with keys of their own"
    ),
    Command.withSubcommands([audit])
  )

const settingRows = Settings.all.map(({ fallback, meaning, name }) =>
  [name, `${meaning.replaceAll("`", "")} (default: ${fallback})`] as const
)

/** `filebatch-proxy --help`: the commands, then every setting it reads, without reading any. */
export const overview = <R, E, A>(root: Command.Command<"filebatch-proxy", R, E, A>) =>
  Help.overview(root, ["audit"], {
    program: "filebatch-proxy",
    version,
    usage: [
      "filebatch-proxy                 serves, configured by environment variables only",
      "filebatch-proxy <command> [flags]"
    ],
    flags: {
      heading: "Flags",
      rows: [
        ["-h, --help", "Show this, or a command's flags and examples: filebatch-proxy audit verify --help"],
        ["--version", "Show filebatch-proxy's version"]
      ]
    },
    examples: [
      "OPENAI_API_KEY=sk-… FILEBATCH_PROXY_KEYS_FILE=keys.json filebatch-proxy",
      "filebatch-proxy audit verify --file /var/lib/filebatch/audit.jsonl"
    ],
    footer: [
      "Settings:",
      ...Help.rows(settingRows),
      "",
      `Durations: ${DurationText.examples}.`,
      "Routes: /v1/vector_stores/{id}/file_batches[/{id}[/cancel|/files]], /healthz, /readyz, /metrics, /openapi.json, /docs",
      "Admin port only: /audit?vector_store_id=&batch_id=&key=&since=&limit= (NDJSON)",
      "Tracing: the standard OTEL_* variables (OTEL_EXPORTER_OTLP_ENDPOINT turns it on; http/protobuf or http/json)"
    ]
  })

/** `filebatch-proxy audit verify --help` (and `audit --help`: verify is its one command), compact as gh's. */
const verifyPage = () =>
  CommandHelp.render(verify.descriptor, {
    command: "filebatch-proxy audit verify",
    exitCodes: [[0, "intact"], [1, "broken (the first broken record named)"], [2, "usage or read error"]],
    footer: "The trail, its records and how they are chained: the README of filebatch-proxy"
  })

/**
 * Runs the command line `args` (after the program's name): help, version, a subcommand, or
 * a usage error (exit status 2). `serve` runs when no command is given.
 */
export const run = <E, R>(args: ReadonlyArray<string>, serve: Effect.Effect<void, E, R>) => {
  const root = make(serve)
  if (args.length === 1 && CommandHelp.isHelpFlag(args[0])) {
    return Effect.sync(() => process.stdout.write(overview(root)))
  }
  if (args.length === 1 && (args[0] === "--version" || args[0] === "-v")) {
    return Effect.sync(() => process.stdout.write(`${version}\n`))
  }
  if (args[0] === "audit" && args.some(CommandHelp.isHelpFlag)) {
    return Effect.sync(() => process.stdout.write(verifyPage()))
  }
  const usage = (message: string) =>
    Effect.sync(() => {
      process.stderr.write(`filebatch-proxy: ${message}\n`)
      process.exitCode = 2
    })
  if (args[0] !== "audit") {
    return usage(
      `takes no arguments but a command (audit), --help and --version: it is configured by environment ` +
        `variables (filebatch-proxy --help lists them); got ${args.join(" ")}`
    )
  }
  const cli = Command.run(root, { name: "filebatch-proxy", version })
  // The flags of `audit verify`, for "did you mean" on a misspelt one.
  const flags = () =>
    Help.flagsInUsage(HelpDoc.toAnsiText(Usage.getHelp(CommandDescriptor.getUsage(verify.descriptor))))
  return Help.withCleanConsole(cli(["node", "filebatch-proxy", ...args]), "filebatch-proxy", flags).pipe(
    // What @effect/cli needs, and no more.
    Effect.provide(Layer.mergeAll(
      NodeFileSystem.layer,
      NodePath.layer,
      NodeTerminal.layer,
      CliConfig.layer({ showTypes: false })
    )),
    Effect.catchAll((error) =>
      error instanceof UsageError
        ? usage(error.message)
        // @effect/cli has printed its usage error already.
        : Effect.sync(() => (process.exitCode = 2))
    )
  )
}
