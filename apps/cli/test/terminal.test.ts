/**
 * The progress bar in a real terminal (tmux, 80 columns): redrawn in place, never wider
 * than the terminal, so that no stale wrapped line is left per poll. `.ci/run` installs
 * tmux; where it is missing the test says so and is skipped.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Emulator } from "@filebatch/emulator"
import { cliBundle, eventually, heldEmulatorLayer } from "@filebatch/testkit"
import { Effect } from "effect"
import { execFileSync, spawnSync } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { seed } from "./cliHarness.js"

const haveTmux = spawnSync("tmux", ["-V"]).status === 0
if (!haveTmux) console.warn("terminal.test.ts: tmux is missing (apt-get install tmux); skipped")

const key = "sk-cli-terminal-test"
// A server of its own for each test: a new session on the socket of a server still shutting down
// (the previous test's kill-server) fails with "server exited unexpectedly".
let socket = ""
const tmux = (...args: Array<string>) => execFileSync("tmux", ["-S", socket, ...args], { encoding: "utf8" })
const screen = () => tmux("capture-pane", "-p", "-t", "cli").split("\n").filter((line) => line.trim() !== "")

const requestsFor = (emulator: Emulator.EmulatorService, batchId: string) =>
  Effect.map(
    emulator.requests,
    (log) => log.filter((entry) => entry.batchId === batchId && entry.status === 200).length
  )

/** A batch of 200 files, followed by the bundle's `watch` in a tmux window `columns` wide. */
const watchInTmux = (emulator: Emulator.EmulatorService, columns: number) =>
  Effect.map(seed(emulator, 200), (ref) => {
    const command = `env -i PATH="${process.env["PATH"]}" OPENAI_API_KEY=${key} OPENAI_BASE_URL=${emulator.url} ` +
      `TERM=xterm-256color "${process.execPath}" "${cliBundle}" watch ${ref.vectorStoreId} ${ref.batchId}; sleep 60`
    socket = join(mkdtempSync(join(tmpdir(), "filebatch-tmux-")), "socket")
    tmux("new-session", "-d", "-s", "cli", "-x", String(columns), "-y", "20", command)
    return ref
  })

describe("the progress bar in a real terminal", () => {
  layer(
    heldEmulatorLayer({ keys: [key], fileMillis: 40, parallelism: 5, cancelDelayMillis: 300, pollAfterMillis: 50 }),
    {
      excludeTestServices: true
    }
  )((it) => {
    it.effect.skipIf(!haveTmux)(
      "is redrawn in place at 80 columns: one line, cut to the width, never wrapped",
      () =>
        Effect.gen(function*() {
          const emulator = yield* Emulator.Emulator
          const { batchId, vectorStoreId } = yield* watchInTmux(emulator, 80)
          try {
            // Several polls, each after the batch has moved on.
            for (let step = 1; step <= 3; step++) {
              const seen = yield* requestsFor(emulator, batchId)
              yield* Effect.promise(() =>
                eventually(
                  "the next poll",
                  () => Effect.runPromise(requestsFor(emulator, batchId)).then((n) => n > seen)
                )
              )
              yield* emulator.progress.advance(40)
            }
            yield* Effect.orDie(emulator.store.cancelBatch(vectorStoreId, batchId))
            yield* emulator.progress.advance(300)
            const lines = yield* Effect.promise(() =>
              eventually("the summary", () => {
                const shown = screen()
                return shown.some((line) => line.includes("cancelled —")) && shown
              })
            )
            for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(80)
            // One bar line (the last state), then the summary: no stale line per poll.
            const bars = lines.filter((line) => line.startsWith(`${batchId} `) && line.includes("%"))
            expect(bars, lines.join("\n")).toHaveLength(1)
            expect(bars[0]).toMatch(/100% cancelled/)
            expect(lines.some((line) => line.includes("in_progress"))).toBe(false)
          } finally {
            tmux("kill-server")
          }
        })
    )
    it.effect.skipIf(!haveTmux)(
      "is redrawn when the terminal is resized: a line cut at 60 columns is drawn whole at 200",
      () =>
        Effect.gen(function*() {
          const emulator = yield* Emulator.Emulator
          const { batchId } = yield* watchInTmux(emulator, 60)
          try {
            const bar = () => screen().filter((line) => line.startsWith(`${batchId} `))
            // Progress is held: the batch does not move, so only a resize can change the line.
            const cut = yield* Effect.promise(() => eventually("the bar, cut", () => bar().length === 1 && bar()[0]))
            expect(cut).toMatch(/…$/)
            expect(cut.length).toBeLessThanOrEqual(60)
            tmux("resize-window", "-t", "cli", "-x", "200")
            const whole = yield* Effect.promise(() =>
              eventually("the bar, redrawn whole", () => bar().some((line) => line.includes("total 200")) && bar())
            )
            expect(whole, whole.join("\n")).toHaveLength(1)
            expect(whole[0]).not.toContain("…")
          } finally {
            tmux("kill-server")
          }
        })
    )
  })
})

describe("cleanup --delete-files asks on a terminal", () => {
  layer(heldEmulatorLayer({ keys: [key], fileMillis: 40, parallelism: 5, cancelDelayMillis: 0 }), {
    excludeTestServices: true
  })((it) => {
    it.effect.skipIf(!haveTmux)(
      "sends nothing when the answer is no, and deletes the Files when it is yes",
      () =>
        Effect.gen(function*() {
          const emulator = yield* Emulator.Emulator
          const vs = yield* emulator.store.createVectorStore("confirm")
          const vectorStoreId = vs["id"] as string
          const fileIds = ["file-t0", "file-t1", "file-t2"]
          const batch = yield* Effect.orDie(emulator.store.createBatch(vectorStoreId, fileIds))
          const batchId = batch["id"] as string
          yield* Effect.orDie(emulator.store.cancelBatch(vectorStoreId, batchId))
          const deletes = Effect.map(
            emulator.requests,
            (log) => log.filter((entry) => entry.method === "DELETE").length
          )
          const ask = (answer: string, outcome: string) =>
            Effect.promise(async () => {
              const command = `env -i PATH="${process.env["PATH"]}" OPENAI_API_KEY=${key} ` +
                `OPENAI_BASE_URL=${emulator.url} TERM=xterm-256color "${process.execPath}" "${cliBundle}" ` +
                `cleanup ${vectorStoreId} ${batchId} --delete-files; echo "exit $?"; sleep 60`
              socket = join(mkdtempSync(join(tmpdir(), "filebatch-tmux-")), "socket")
              tmux("new-session", "-d", "-s", "cli", "-x", "120", "-y", "20", command)
              try {
                await eventually("the question", () => screen().some((line) => line.includes("Delete 3 File(s)?")))
                tmux("send-keys", "-t", "cli", answer)
                return await eventually(outcome, () => {
                  const shown = screen().join("\n")
                  return shown.includes(outcome) && /exit \d+/.test(shown) && shown
                })
              } finally {
                tmux("kill-server")
              }
            })
          const refused = yield* ask("n", "nothing deleted: not confirmed")
          expect(refused).toContain("exit 2")
          expect(yield* deletes).toBe(0)
          const confirmed = yield* ask("y", "3 files: 3 deleted")
          expect(confirmed).toContain("exit 0")
          expect(yield* deletes).toBe(3)
        })
    )
  })
})
