/**
 * What @effect/cli prints, made fit for a terminal and for pipes: no colour codes unless
 * stdout is a terminal and NO_COLOR is unset, usage lines that name the program, none of
 * the type boilerplate it adds to every option, and errors with the `filebatch:` prefix
 * every other error of the CLI has.
 */
import { AutoCorrect, CliConfig, Command, CommandDescriptor, HelpDoc } from "@effect/cli"
import { Effect, HashMap, Option } from "effect"

const ansi = /\x1b\[[0-9;]*m/g

const boilerplate = new Set([
  "A user-defined piece of text.",
  "A user-defined piece of text that is confidential.",
  "A true or false value.",
  "An integer.",
  "A floating point number.",
  "This setting is optional."
])

export const colourWanted = (stream: NodeJS.WriteStream) =>
  stream.isTTY === true && process.env["NO_COLOR"] === undefined && process.env["TERM"] !== "dumb"

/** Help and messages as printed by @effect/cli, cleaned. */
export const cleanHelp = (text: string, colour: boolean): string => {
  const lines: Array<string> = []
  for (const raw of (colour ? text : text.replace(ansi, "")).split("\n")) {
    const plain = raw.replace(ansi, "").trim()
    if (boilerplate.has(plain)) {
      // The blank line before the dropped paragraph goes with it.
      if (lines.length > 0 && lines[lines.length - 1].replace(ansi, "").trim() === "") lines.pop()
      continue
    }
    lines.push(
      raw
        .replace(/This setting is optional\. Defaults to: /, "Default: ")
        .replace(/^(\s*(?:\x1b\[[0-9;]*m)*)\$ (?!filebatch\b)/, "$1$ filebatch ")
    )
  }
  return lines.join("\n")
}

/** Runs `effect` with a console whose log and error print cleaned text; `flags` names the command's flags. */
export const withCleanConsole = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  flags: () => ReadonlyArray<string>
): Effect.Effect<A, E, R> =>
  Effect.consoleWith((console) =>
    Effect.withConsole(effect, {
      ...console,
      log: (...args: ReadonlyArray<unknown>) =>
        console.log(...args.map((arg) => typeof arg === "string" ? cleanHelp(arg, colourWanted(process.stdout)) : arg)),
      error: (...args: ReadonlyArray<unknown>) =>
        console.error(
          ...args.map((arg) =>
            typeof arg === "string"
              ? `filebatch: ${withFlagSuggestion(cleanHelp(arg, colourWanted(process.stderr)).trim(), flags)}`
              : arg
          )
        )
    })
  )

/** The known name closest to `given`, when it is a likely slip (at most two edits away). */
const closestTo = (given: string, known: ReadonlyArray<string>): string | undefined => {
  const distance = (name: string) => AutoCorrect.levensteinDistance(given, name, CliConfig.defaultConfig)
  const closest = [...known].sort((a, b) => distance(a) - distance(b))[0]
  return closest !== undefined && distance(closest) <= 2 ? closest : undefined
}

/** `unknown command 'cancle'; did you mean 'cancel'? (commands: …)`. */
export const unknownCommandMessage = (given: string, known: ReadonlyArray<string>): string => {
  const closest = closestTo(given, known)
  const suggestion = closest !== undefined ? ` did you mean '${closest}'?` : ""
  return `unknown command '${given}';${suggestion} (commands: ${known.join(", ")}; see filebatch --help)`
}

/**
 * @effect/cli's `Received unknown argument: '--wiat'`, with the closest flag of the
 * command suggested (`flags` gives them, read from the command's own usage).
 */
export const withFlagSuggestion = (message: string, flags: () => ReadonlyArray<string>): string => {
  const unknown = /Received unknown argument: '(--?[\w-]+)'/.exec(message)
  if (unknown === null) return message
  const closest = closestTo(unknown[1]!, flags())
  return closest === undefined ? message : `${message}; did you mean '${closest}'?`
}

/** The flags in a command's usage line (`[--wait]`, `[(-o, --output)]`). */
export const flagsInUsage = (
  usage: string
): ReadonlyArray<string> => [...new Set(usage.replace(ansi, "").match(/--[a-z][\w-]*/g) ?? [])]

/** The first line of a command's description: its summary. */
const summaryOf = (descriptor: CommandDescriptor.Command<unknown>) =>
  HelpDoc.toAnsiText(CommandDescriptor.getHelp(descriptor, CliConfig.defaultConfig)).replace(ansi, "").split("\n")
    // Past the DESCRIPTION heading @effect/cli writes above it.
    .map((line) => line.trim()).find((line) => line !== "" && !/^[A-Z ]+$/.test(line)) ?? ""

/**
 * `filebatch --help`: what it is, each command on a line of its own with its summary (as gh
 * lists them), then the flags every command takes. Summaries come from the commands'
 * descriptions; a command's own options are in `filebatch <command> --help`.
 */
export const overview = <Name extends string, R, E, A>(
  root: Command.Command<Name, R, E, A>,
  names: ReadonlyArray<string>,
  version: string
): string => {
  const subcommands = Command.getSubcommands(root)
  const width = Math.max(...names.map((name) => name.length))
  const commands = names.map((name) =>
    `  ${name.padEnd(width)}  ${Option.match(HashMap.get(subcommands, name), { onNone: () => "", onSome: summaryOf })}`
  )
  return [
    `filebatch ${version}: ${summaryOf(root.descriptor)}`,
    "",
    "Usage: filebatch <command> [arguments] [flags]",
    "",
    "Commands:",
    ...commands,
    "",
    "Flags of every command:",
    "  -h, --help         Show a command's flags and examples: filebatch <command> --help",
    "  --version          Show filebatch's version",
    "  --completions SH   Print a completion script for sh, bash, fish or zsh",
    "  --log-level LEVEL  Log at this level and above on stderr (default: warning)",
    "  --wizard           Build a command line step by step (needs a terminal)",
    "",
    "Examples:",
    "  filebatch cancel vs_abc123 vsfb_abc123 --wait --report not-done.txt",
    "  filebatch files vs_abc123 vsfb_abc123 --filter cancelled -o ids",
    "",
    "Settings (OPENAI_API_KEY, OPENAI_BASE_URL, FILEBATCH_*) and exit codes: the README of @filebatch/cli",
    ""
  ].join("\n")
}
