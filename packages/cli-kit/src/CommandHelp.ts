/**
 * `<program> <command> --help` as gh prints it: the usage line, the description, one line
 * per flag with its default, the examples, the exit codes. @effect/cli's own page gives
 * every flag three lines or more (its name, a blank, its description, a blank, "One of the
 * following", …): `filebatch cancel --help` was 119 lines. The facts are read from the
 * command's own descriptor, so the page cannot drift from what the command accepts.
 *
 * @since 0.1.0
 */
import { CliConfig, CommandDescriptor, type HelpDoc } from "@effect/cli"
import type { Span } from "@effect/cli/HelpDoc/Span"

/**
 * What a command's page says beyond its descriptor.
 *
 * @since 0.1.0
 * @category models
 */
export interface PageText {
  /** The words that run the command: `filebatch cancel`, `filebatch-proxy audit verify`. */
  readonly command: string
  /** The exit statuses, each with what it means. */
  readonly exitCodes: ReadonlyArray<readonly [number, string]>
  /** The last line: where the flags every command takes, settings and the rest are told. */
  readonly footer: string
  /** Lines are wrapped to this many columns (a flag's description under its own start). */
  readonly width?: number
}

/**
 * Whether an argument asks for help (`--help`, `-h`): anywhere on a command's line, it shows the page.
 *
 * @since 0.1.0
 * @category parsing
 */
export const isHelpFlag = (arg: string | undefined): boolean => arg === "--help" || arg === "-h"

const spanText = (span: Span): string => {
  switch (span._tag) {
    case "Text":
    case "URI":
      return span.value
    case "Highlight":
    case "Strong":
    case "Weak":
      return spanText(span.value)
    case "Sequence":
      return spanText(span.left) + spanText(span.right)
  }
}

const blocksOf = (doc: HelpDoc.HelpDoc): ReadonlyArray<HelpDoc.HelpDoc> =>
  doc._tag === "Sequence" ? [...blocksOf(doc.left), ...blocksOf(doc.right)] : doc._tag === "Empty" ? [] : [doc]

const textOf = (doc: HelpDoc.HelpDoc): ReadonlyArray<string> => {
  switch (doc._tag) {
    case "Paragraph":
    case "Header":
      return [spanText(doc.value)]
    case "Sequence":
      return [...textOf(doc.left), ...textOf(doc.right)]
    case "Enumeration":
      return doc.elements.flatMap(textOf)
    case "DescriptionList":
      return doc.definitions.flatMap(([span, body]) => [spanText(span), ...textOf(body)])
    case "Empty":
      return []
  }
}

/** @effect/cli's type words, as gh names them. */
const typeWords: Readonly<Record<string, string>> = { text: "string", redacted: "string", integer: "int" }

/** `(-o, --output table | json | ids)` → `-o, --output table|json|ids`; `--timeout text` → `--timeout string`. */
const flagName = (raw: string) => {
  const words = raw.trim().replace(/^\((.*)\)$/, "$1").replace(/[()]/g, "").split(" ")
  const names = words.filter((word, i) => word.startsWith("-") && words.slice(0, i).every((w) => w.startsWith("-")))
  const placeholder = words.slice(names.length).join(" ").replace(/\s*\|\s*/g, "|").trim()
    .replace(/^(\w+)(\.\.\.)?$/, (_, word: string, many = "") => `${typeWords[word] ?? word}${many}`)
  return placeholder === "" ? names.join(" ") : `${names.join(" ")} ${placeholder}`
}

/** The flags @effect/cli gives every command: the overview (`<program> --help`) lists them once. */
const everyCommandFlags = /^(-h, )?--(help|version|wizard|completions|log-level)\b/

/** What a flag does, in one sentence: @effect/cli's generated paragraphs dropped or folded in. */
const flagDescription = (paragraphs: ReadonlyArray<string>) =>
  paragraphs
    .filter((text) =>
      !/^(One of the following:|A user-defined piece|A true or false value|An integer\.|A floating point|An existing (file|directory)\.$|This option may be repeated)/
        .test(text)
    )
    .map((text) =>
      text.replace(/^This setting is optional\.( Defaults to: (.*))?$/, (_, given, value) =>
        given ? `(default: ${value})` : "")
    )
    .filter((text) =>
      text !== ""
    )
    .join(" ")

/** Words of `text` in lines of at most `width`, the first after `first`, the rest after `indent` spaces. */
const wrapped = (first: string, text: string, indent: number, width: number): ReadonlyArray<string> => {
  const lines: Array<string> = []
  let line = first
  for (const word of text.split(/\s+/).filter((word) => word !== "")) {
    const blank = line.trim() === "" || line.endsWith(" ")
    if (!blank && line.length + 1 + word.length > width) {
      lines.push(line)
      line = " ".repeat(indent) + word
    } else {
      line = blank ? line + word : `${line} ${word}`
    }
  }
  lines.push(line)
  return lines
}

/** Names in a column at most this wide; a longer name has its description on the next line. */
const maxNameColumn = 24

const columns = (rows: ReadonlyArray<readonly [string, string]>, width: number): ReadonlyArray<string> => {
  const left = Math.min(maxNameColumn, Math.max(...rows.map(([name]) => name.length)))
  return rows.flatMap(([name, text]) =>
    name.length > left
      ? [`  ${name}`, ...wrapped(" ".repeat(left + 4), text, left + 4, width)]
      : wrapped(`  ${name.padEnd(left)}  `, text, left + 4, width)
  )
}

/**
 * A parenthetical that several flags repeat (how a duration is written), said once below them:
 * `--timeout, --max-wait: e.g. 500ms, 30s, …`.
 */
const sharedNotes = (flags: ReadonlyArray<readonly [string, string]>) => {
  const holders = new Map<string, Array<string>>()
  for (const [name, text] of flags) {
    for (const note of text.match(/\([^()]{20,}\)/g) ?? []) {
      holders.set(note, [...(holders.get(note) ?? []), name.split(" ")[0]!])
    }
  }
  const shared = [...holders].filter(([, names]) => names.length > 1)
  return {
    flags: flags.map(([name, text]) =>
      [name, shared.reduce((rest, [note]) => rest.replace(` ${note}`, "").replace(note, ""), text)] as const
    ),
    notes: shared.map(([note, names]) => `${names.join(", ")}: ${note.slice(1, -1)}`)
  }
}

interface Sections {
  readonly description: ReadonlyArray<string>
  readonly examples: ReadonlyArray<string>
  readonly args: ReadonlyArray<readonly [string, string, boolean]>
  readonly flags: ReadonlyArray<readonly [string, string]>
}

/** The descriptor's help, read by its headings. */
const sectionsOf = (descriptor: CommandDescriptor.Command<unknown>): Sections => {
  const description: Array<string> = []
  const args: Array<readonly [string, string, boolean]> = []
  const flags: Array<readonly [string, string]> = []
  let heading = ""
  for (const block of blocksOf(CommandDescriptor.getHelp(descriptor, CliConfig.defaultConfig))) {
    if (block._tag === "Header") heading = spanText(block.value)
    else if (heading === "DESCRIPTION") description.push(...textOf(block).flatMap((text) => text.split("\n")))
    else if (block._tag === "DescriptionList") {
      for (const [span, body] of block.definitions) {
        const text = flagDescription(textOf(body))
        if (heading === "ARGUMENTS") {
          // An optional argument is bracketed in the usage line, as gh writes it.
          const optional = textOf(body).some((paragraph) => paragraph.startsWith("This setting is optional."))
          args.push([spanText(span).trim(), text, optional])
        } else if (heading === "OPTIONS" && !everyCommandFlags.test(flagName(spanText(span)))) {
          flags.push([flagName(spanText(span)), text])
        }
      }
    }
  }
  const examplesAt = description.findIndex((line) => line.trim() === "Examples:")
  return {
    description: trimBlank(examplesAt < 0 ? description : description.slice(0, examplesAt)),
    examples: examplesAt < 0
      ? []
      : description.slice(examplesAt + 1).map((line) => line.trim()).filter((line) => line !== ""),
    args,
    flags
  }
}

const trimBlank = (lines: ReadonlyArray<string>) => {
  const kept = [...lines]
  while (kept.length > 0 && kept[0]!.trim() === "") kept.shift()
  while (kept.length > 0 && kept[kept.length - 1]!.trim() === "") kept.pop()
  return kept
}

/**
 * The page of one command: usage, description, arguments, flags, examples, exit codes, footer.
 *
 * @since 0.1.0
 * @category rendering
 */
export const render = (descriptor: CommandDescriptor.Command<unknown>, text: PageText): string => {
  const width = text.width ?? 100
  const { args, description, examples, flags: described } = sectionsOf(descriptor)
  const { flags, notes } = sharedNotes(described)
  const usage = [
    text.command,
    ...args.map(([name, , optional]) => optional ? `[${name}]` : name),
    ...(flags.length > 0 ? ["[flags]"] : [])
  ].join(" ")
  return [
    `Usage: ${usage}`,
    "",
    ...description.flatMap((line) => line.trim() === "" ? [""] : wrapped("", line, 0, width)),
    ...(args.length > 0
      ? ["", "Arguments:", ...columns(args.map(([name, about]) => [name, about] as const), width)]
      : []),
    ...(flags.length > 0 ? ["", "Flags:", ...columns(flags, width)] : []),
    ...notes.flatMap((note) => wrapped("  ", note, 4, width)),
    ...(examples.length > 0 ? ["", "Examples:", ...examples.map((example) => `  ${example}`)] : []),
    "",
    ...wrapped("Exit codes: ", text.exitCodes.map(([code, meaning]) => `${code} ${meaning}`).join(", "), 2, width),
    ...wrapped("", text.footer, 0, width),
    ""
  ].join("\n")
}
