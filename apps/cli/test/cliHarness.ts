/** What the CLI suites share: the emulator's settings, seeded batches, and the bundle run against it. */
import { expect } from "@effect/vitest"
import type { Emulator, RequestLog } from "@filebatch/emulator"
import { runCli } from "@filebatch/testkit"
import { Effect, Schedule } from "effect"

export const emulatorOptions = (key: string) => ({
  keys: [key],
  fileMillis: 40,
  parallelism: 5,
  cancelDelayMillis: 300,
  pollAfterMillis: 100
})

export const key = "sk-cli-test-Zx81-SECRET-do-not-print"

export const seed = (emulator: Emulator.EmulatorService, files = 2000) =>
  Effect.gen(function*() {
    const vs = yield* emulator.store.createVectorStore("cli")
    const vectorStoreId = vs["id"] as string
    const batch = yield* Effect.orDie(
      emulator.store.createBatch(vectorStoreId, Array.from({ length: files }, (_, i) => `file-${i}`))
    )
    return { vectorStoreId, batchId: batch["id"] as string }
  })

/** Waits (polling the emulator's request log) until a request it answered matches. */
export const untilRequest = (
  emulator: Emulator.EmulatorService,
  matches: (entry: RequestLog.RequestLogEntry) => boolean
) =>
  emulator.requests.pipe(
    Effect.filterOrFail((log) => log.some((entry) => typeof entry.status === "number" && matches(entry))),
    Effect.retry(Schedule.spaced("20 millis"))
  )

export const cli = (
  emulator: Emulator.EmulatorService,
  args: Array<string>,
  env: Record<string, string> = {},
  stdin?: string
) =>
  Effect.promise(() => runCli(args, { OPENAI_API_KEY: key, OPENAI_BASE_URL: emulator.url, ...env }, stdin)).pipe(
    Effect.tap((result) =>
      Effect.sync(() => {
        // Whatever happened, the key never shows.
        expect(result.stdout).not.toContain(key)
        expect(result.stderr).not.toContain(key)
      })
    )
  )
