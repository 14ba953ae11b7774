import { Args, Command, Options } from "@effect/cli"
import { describe, expect, it } from "@effect/vitest"
import { CommandHelp } from "../src/index.js"

const duration = "(e.g. 500ms, 30s, 2m; a bare number is seconds)"
const command = Command.make("go", {
  id: Args.text({ name: "batch_id" }).pipe(Args.withDescription("e.g. vsfb_abc123")),
  timeout: Options.text("timeout").pipe(Options.withDescription(`Time limit ${duration}`), Options.optional),
  wait: Options.text("max-wait").pipe(
    Options.withDescription(`Give up after this ${duration}`),
    Options.withDefault("10m")
  ),
  output: Options.choice("output", ["table", "json"]).pipe(Options.withAlias("o"), Options.withDescription("How")),
  keys: Options.text("key").pipe(Options.withDescription("A key, repeatable"), Options.repeated),
  count: Options.integer("count").pipe(Options.withDescription(
    "How many at once, with a description long enough that it must be wrapped under its own start to fit the page"
  ))
}).pipe(
  Command.withDescription(
    "Do it\n\nExamples:\n  tool go vsfb_1 --count 2 --output json --timeout 30s --max-wait 5m --key a"
  )
)

describe("CommandHelp.render", () => {
  const page = CommandHelp.render(command.descriptor, {
    command: "tool go",
    exitCodes: [[0, "done"], [2, "usage"]],
    footer: "More: the README",
    width: 80
  }).trimEnd().split("\n")

  it("gives usage, description, arguments, a line per flag, examples, exit codes", () => {
    expect(page).toEqual([
      "Usage: tool go <batch_id> [flags]",
      "",
      "Do it",
      "",
      "Arguments:",
      "  <batch_id>  e.g. vsfb_abc123",
      "",
      "Flags:",
      "  --timeout string         Time limit",
      "  --max-wait string        Give up after this",
      "  -o, --output table|json  How",
      "  --key string...          A key, repeatable",
      "  --count int              How many at once, with a description long enough that",
      "                           it must be wrapped under its own start to fit the",
      "                           page",
      "  --timeout, --max-wait: e.g. 500ms, 30s, 2m; a bare number is seconds",
      "",
      "Examples:",
      "  tool go vsfb_1 --count 2 --output json --timeout 30s --max-wait 5m --key a",
      "",
      "Exit codes: 0 done, 2 usage",
      "More: the README"
    ])
  })

  it("keeps every line but an example within the width", () => {
    const examples = page.indexOf("Examples:")
    expect(Math.max(...page.filter((_, i) => i !== examples + 1).map((line) => line.length))).toBeLessThanOrEqual(80)
  })
})
