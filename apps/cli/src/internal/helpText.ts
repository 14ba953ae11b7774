/**
 * What @effect/cli prints, made fit for a terminal and for pipes: no colour codes unless
 * stdout is a terminal and NO_COLOR is unset, usage lines that name the program, none of
 * the type boilerplate it adds to every option, and errors with the `filebatch:` prefix
 * every other error of the CLI has.
 */
import { Effect } from "effect"

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

/** Runs `effect` with a console whose log and error print cleaned text. */
export const withCleanConsole = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.consoleWith((console) =>
    Effect.withConsole(effect, {
      ...console,
      log: (...args: ReadonlyArray<unknown>) =>
        console.log(...args.map((arg) => typeof arg === "string" ? cleanHelp(arg, colourWanted(process.stdout)) : arg)),
      error: (...args: ReadonlyArray<unknown>) =>
        console.error(
          ...args.map((arg) =>
            typeof arg === "string" ? `filebatch: ${cleanHelp(arg, colourWanted(process.stderr)).trim()}` : arg
          )
        )
    })
  )

/** Edit distance, for suggestions. */
const distance = (a: string, b: string): number => {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1))
      diagonal = above
    }
  }
  return row[b.length]
}

/** `unknown command 'cancle'; did you mean 'cancel'? (commands: …)`. */
export const unknownCommandMessage = (given: string, known: ReadonlyArray<string>): string => {
  const closest = [...known].sort((a, b) => distance(given, a) - distance(given, b))[0]
  const suggestion = closest !== undefined && distance(given, closest) <= 2 ? ` did you mean '${closest}'?` : ""
  return `unknown command '${given}';${suggestion} (commands: ${known.join(", ")}; see filebatch --help)`
}
