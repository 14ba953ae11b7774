import { describe, expect, it } from "@effect/vitest"
import { Help } from "../src/index.js"

describe("Help", () => {
  it("names the program in usage lines it did not name, and drops @effect/cli's type boilerplate", () => {
    const text = "USAGE\n\n$ verify --file...\n\n--file text...\n\n  A user-defined piece of text.\n\n  A file"
    const cleaned = Help.cleanHelp(text, false, "filebatch-proxy")
    expect(cleaned).toContain("$ filebatch-proxy verify --file...")
    expect(cleaned).not.toContain("A user-defined piece of text.")
    expect(Help.cleanHelp("$ filebatch-proxy audit", false, "filebatch-proxy")).toBe("$ filebatch-proxy audit")
  })

  it("suggests the command or flag a slip was meant to be", () => {
    expect(Help.unknownCommandMessage("cancle", ["cancel", "get"], "filebatch")).toBe(
      "unknown command 'cancle'; did you mean 'cancel'? (commands: cancel, get; see filebatch --help)"
    )
    expect(Help.withFlagSuggestion("Received unknown argument: '--fil'", () => ["--file", "--stream"])).toBe(
      "Received unknown argument: '--fil'; did you mean '--file'?"
    )
  })

  it("lines up two columns", () => {
    expect(Help.rows([["-h, --help", "Show this"], ["--version", "The version"]])).toEqual([
      "  -h, --help  Show this",
      "  --version   The version"
    ])
  })
})
