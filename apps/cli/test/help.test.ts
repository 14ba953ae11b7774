import { describe, expect, it } from "@effect/vitest"
import { runCli } from "@filebatch/testkit"

describe("help and usage mistakes", () => {
  it("help piped is plain text: the program's name in usage, no type boilerplate, defaults and examples", async () => {
    const help = await runCli(["cancel", "--help"], { TERM: "xterm-256color" })
    expect(help.code).toBe(0)
    expect(help.stdout).not.toContain("\x1b[")
    expect(help.stdout).toMatch(/^\$ filebatch cancel /m)
    expect(help.stdout).not.toMatch(/A user-defined piece of text|This setting is optional/)
    expect(help.stdout).toMatch(/--concurrency[^]*\(default 8\)/)
    expect(help.stdout).toMatch(/Examples:\n {2}filebatch cancel vs_abc123 vsfb_abc123 --wait/)
    for (const command of ["get", "watch", "files"]) {
      const own = await runCli([command, "--help"])
      expect(own.stdout, command).toMatch(new RegExp(`^\\$ filebatch ${command} `, "m"))
      expect(own.stdout, command).toContain("Examples:")
    }
  })

  it("filebatch --help lists each command on a line of its own with its summary, as gh does", async () => {
    for (const flag of ["--help", "-h"]) {
      const help = await runCli([flag])
      expect(help.code).toBe(0)
      expect(help.stderr).toBe("")
      const lines = help.stdout.split("\n")
      expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(100)
      const commands = lines.slice(lines.indexOf("Commands:") + 1, lines.indexOf("", lines.indexOf("Commands:")))
      expect(commands.map((line) => line.trim().split(/\s+/)[0])).toEqual([
        "cancel",
        "get",
        "watch",
        "files",
        "resubmit",
        "audit",
        "emulator"
      ])
      // Each summary is the first line of the command's own help.
      expect(commands[1]).toMatch(/^ {2}get +Show a file batch$/)
      expect(commands[0]).toMatch(/--wait follows it until it stops$/)
      expect(help.stdout).toMatch(/filebatch <command> --help/)
    }
  })

  it("an unknown command gets a suggestion with the filebatch: prefix; --wizard without a terminal does not hang", async () => {
    const typo = await runCli(["cancle", "vs_1", "vsfb_1"])
    expect(typo.code).toBe(2)
    expect(typo.stderr).toBe(
      "filebatch: unknown command 'cancle'; did you mean 'cancel'? " +
        "(commands: cancel, get, watch, files, resubmit, audit, emulator; see filebatch --help)\n"
    )
    const wizard = await runCli(["cancel", "--wizard"])
    expect(wizard.code).toBe(2)
    expect(wizard.stderr).toBe("filebatch: --wizard needs a terminal on standard input\n")
    // Errors @effect/cli reports itself carry the prefix too, without colour codes.
    const unknownFlag = await runCli(["get", "--nope", "vs_1", "vsfb_1"])
    expect(unknownFlag.code).toBe(2)
    expect(unknownFlag.stderr).toMatch(/^filebatch: /)
    expect(unknownFlag.stderr).not.toContain("\x1b[")
    // A misspelt flag gets the closest flag of its own command.
    const wait = await runCli(["cancel", "vs_1", "vsfb_1", "--wiat"])
    expect(wait.code).toBe(2)
    expect(wait.stderr).toBe("filebatch: Received unknown argument: '--wiat'; did you mean '--wait'?\n")
    const output = await runCli(["files", "vs_1", "vsfb_1", "--ouptut", "ids"])
    expect(output.stderr).toMatch(/did you mean '--output'\?\n$/)
    expect(unknownFlag.stderr).not.toContain("did you mean")
  })
})
