/**
 * What @effect/cli prints, made fit for a terminal and for pipes: no colour codes unless
 * stdout is a terminal and NO_COLOR is unset, usage lines that name the program, none of
 * the type boilerplate it adds to every option, and errors with the `<program>:` prefix
 * every other error of the program has.
 *
 * @since 0.1.0
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

/**
 * Whether colour codes may be written to the stream.
 *
 * @since 0.1.0
 */
export const colourWanted = (stream: NodeJS.WriteStream) =>
  stream.isTTY === true && process.env["NO_COLOR"] === undefined && process.env["TERM"] !== "dumb"

/**
 * Help and messages as printed by @effect/cli, cleaned.
 *
 * @since 0.1.0
 */
export const cleanHelp = (text: string, colour: boolean, program: string): string => {
  const unnamed = new RegExp(`^(\\s*(?:\\x1b\\[[0-9;]*m)*)\\$ (?!${program}\\b)`)
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
        .replace(unnamed, `$1$ ${program} `)
    )
  }
  return lines.join("\n")
}

/**
 * Runs `effect` with a console whose log and error print cleaned text; `flags` names the command's flags.
 *
 * @since 0.1.0
 */
export const withCleanConsole = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  program: string,
  flags: () => ReadonlyArray<string>
): Effect.Effect<A, E, R> =>
  Effect.consoleWith((console) =>
    Effect.withConsole(effect, {
      ...console,
      log: (...args: ReadonlyArray<unknown>) =>
        console.log(
          ...args.map((arg) => typeof arg === "string" ? cleanHelp(arg, colourWanted(process.stdout), program) : arg)
        ),
      error: (...args: ReadonlyArray<unknown>) =>
        console.error(
          ...args.map((arg) =>
            typeof arg === "string"
              ? `${program}: ${withFlagSuggestion(cleanHelp(arg, colourWanted(process.stderr), program).trim(), flags)}`
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

/**
 * `unknown command 'cancle'; did you mean 'cancel'? (commands: …)`.
 *
 * @since 0.1.0
 */
export const unknownCommandMessage = (given: string, known: ReadonlyArray<string>, program: string): string => {
  const closest = closestTo(given, known)
  const suggestion = closest !== undefined ? ` did you mean '${closest}'?` : ""
  return `unknown command '${given}';${suggestion} (commands: ${known.join(", ")}; see ${program} --help)`
}

/**
 * @effect/cli's `Received unknown argument: '--wiat'`, with the closest flag of the
 * command suggested (`flags` gives them, read from the command's own usage).
 *
 * @since 0.1.0
 */
export const withFlagSuggestion = (message: string, flags: () => ReadonlyArray<string>): string => {
  const unknown = /Received unknown argument: '(--?[\w-]+)'/.exec(message)
  if (unknown === null) return message
  const closest = closestTo(unknown[1]!, flags())
  return closest === undefined ? message : `${message}; did you mean '${closest}'?`
}

/**
 * The flags in a command's usage line (`[--wait]`, `[(-o, --output)]`).
 *
 * @since 0.1.0
 */
export const flagsInUsage = (
  usage: string
): ReadonlyArray<string> => [...new Set(usage.replace(ansi, "").match(/--[a-z][\w-]*/g) ?? [])]

/** The first line of a command's description: its summary. */
const summaryOf = (descriptor: CommandDescriptor.Command<unknown>) =>
  HelpDoc.toAnsiText(CommandDescriptor.getHelp(descriptor, CliConfig.defaultConfig)).replace(ansi, "").split("\n")
    // Past the DESCRIPTION heading @effect/cli writes above it.
    .map((line) => line.trim()).find((line) => line !== "" && !/^[A-Z ]+$/.test(line)) ?? ""

/**
 * What a program's overview says beyond its commands.
 *
 * @since 0.1.0
 */
export interface OverviewText {
  readonly program: string
  readonly version: string
  readonly usage: ReadonlyArray<string>
  /** Each flag and what it does; the flags column is as wide as its widest. */
  readonly flags: { readonly heading: string; readonly rows: ReadonlyArray<readonly [string, string]> }
  readonly examples: ReadonlyArray<string>
  /** Lines after the examples (where settings and exit codes are told). */
  readonly footer: ReadonlyArray<string>
}

/**
 * Two columns, the first as wide as its widest entry, indented by two.
 *
 * @since 0.1.0
 */
export const rows = (rows: ReadonlyArray<readonly [string, string]>): ReadonlyArray<string> => {
  const width = Math.max(...rows.map(([left]) => left.length))
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`)
}

/**
 * `<program> --help`: what it is, each command on a line of its own with its summary (as gh
 * lists them), then the flags every command takes. Summaries come from the commands'
 * descriptions; a command's own options are in `<program> <command> --help`.
 *
 * @since 0.1.0
 */
export const overview = <Name extends string, R, E, A>(
  root: Command.Command<Name, R, E, A>,
  names: ReadonlyArray<string>,
  text: OverviewText
): string => {
  const subcommands = Command.getSubcommands(root)
  const commands = names.map((name) =>
    [name, Option.match(HashMap.get(subcommands, name), { onNone: () => "", onSome: summaryOf })] as const
  )
  return [
    `${text.program} ${text.version}: ${summaryOf(root.descriptor)}`,
    "",
    ...text.usage.map((line, index) => `${index === 0 ? "Usage: " : "       "}${line}`),
    "",
    "Commands:",
    ...rows(commands),
    "",
    `${text.flags.heading}:`,
    ...rows(text.flags.rows),
    "",
    "Examples:",
    ...text.examples.map((example) => `  ${example}`),
    "",
    ...text.footer,
    ""
  ].join("\n")
}
