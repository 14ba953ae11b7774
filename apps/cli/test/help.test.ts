import { describe, expect, it } from "@effect/vitest"
import { runCli } from "@filebatch/testkit"

describe("help and usage mistakes", () => {
  it("each command's --help is one page as gh's: usage, description, a line per flag with its default, examples, exit codes", async () => {
    // Lines at most (cancel was 119 with @effect/cli's own page); every line but an example fits 100 columns.
    const longest: Record<string, number> = {
      cancel: 45,
      get: 35,
      watch: 38,
      files: 38,
      resubmit: 45,
      cleanup: 45,
      audit: 28
    }
    for (const [command, most] of Object.entries(longest)) {
      const page = await runCli([command, "--help"], { TERM: "xterm-256color" })
      expect(page.code, command).toBe(0)
      expect(page.stderr, command).toBe("")
      expect(page.stdout, command).not.toContain("\x1b[")
      const lines = page.stdout.trimEnd().split("\n")
      expect(lines.length, command).toBeLessThanOrEqual(most)
      const examples = lines.indexOf("Examples:")
      const prose = lines.filter((_, i) =>
        examples < 0 || i < examples || lines[i] === "" || !lines[i]!.startsWith("  ")
      )
      expect(Math.max(...prose.map((line) => line.length)), command).toBeLessThanOrEqual(100)
      expect(lines[0], command).toMatch(new RegExp(`^Usage: filebatch ${command} `))
      expect(page.stdout, command).toMatch(/\nFlags:\n {2}--/)
      expect(page.stdout, command).toMatch(/\nExit codes: 0 done, 2 usage, 3 authentication, 4 not found/)
      expect(page.stdout, command).not.toMatch(
        /A user-defined piece of text|This setting is optional|One of the following/
      )
      // The flags of every command are in `filebatch --help`, not on every page.
      expect(page.stdout, command).not.toMatch(/--wizard|--completions |--log-level /)
    }
    // An optional argument is bracketed in the usage line.
    const cleanup = (await runCli(["cleanup", "--help"])).stdout
    expect(cleanup.split("\n")[0]).toBe("Usage: filebatch cleanup <vector_store_id> [<batch_id>] [flags]")
    const cancel = (await runCli(["cancel", "-h"])).stdout
    // One line a flag, its default beside it; a choice's values after its name.
    expect(cancel).toMatch(/^ {2}--concurrency int +With --from: cancels in flight at once, 1 to 256 \(default 8\)$/m)
    expect(cancel).toMatch(/^ {2}-o, --output table\|json\|ids$/m)
    expect(cancel).toMatch(
      /^ {2}--timeout string +Time limit of one HTTP attempt \(default: \$FILEBATCH_TIMEOUT, else 60s\)$/m
    )
    // How a duration is written, said once for the three flags that take one.
    expect(cancel.match(/500ms, 30s/g)).toHaveLength(1)
    expect(cancel).toMatch(/^ {2}--timeout, --max-wait, --poll-interval: e\.g\. 500ms/m)
    expect(cancel).toMatch(/Examples:\n {2}filebatch cancel vs_abc123 vsfb_abc123 --wait\n/)
    // --help anywhere on the line shows the page; nothing is sent.
    expect((await runCli(["cancel", "vs_abc123", "vsfb_abc123", "--help"])).stdout).toBe(cancel)
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
        "cleanup",
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
        "(commands: cancel, get, watch, files, resubmit, cleanup, audit, emulator; see filebatch --help)\n"
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
