import { describe, expect, layer } from "@effect/vitest"
import { Emulator } from "@filebatch/emulator"
import { type Fault, heldEmulatorLayer } from "@filebatch/testkit"
import { Effect, Fiber } from "effect"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { cli, emulatorOptions, key, untilRequest } from "./cliHarness.js"

const listOf = (lines: ReadonlyArray<string>) => {
  const path = join(mkdtempSync(join(tmpdir(), "filebatch-resubmit-")), "ids.txt")
  writeFileSync(path, `${lines.join("\n")}\n`)
  return path
}

// These tests are about splitting and failures: the files' pace (a minute per 2000 files) is
// tested on the test clock, in resubmitPace.test.ts.
const unpaced = { FILEBATCH_FILES_PER_MINUTE: "1000000" }

const ids = (from: number, count: number) => Array.from({ length: count }, (_, i) => `file-${from + i}`)

const createsOf = (emulator: Emulator.EmulatorService, vectorStoreId?: string) =>
  Effect.map(
    emulator.requests,
    (log) =>
      log.filter((entry) =>
        entry.operation === "create_batch" && (vectorStoreId === undefined || entry.vectorStoreId === vectorStoreId)
      )
  )

/** A new vector store whose creates meet `fault` once, after `skip` of them. */
const storeWithFault = (emulator: Emulator.EmulatorService, fault: Fault.Fault, skip = 0) =>
  Effect.gen(function*() {
    const vs = yield* emulator.store.createVectorStore("resubmit")
    const vectorStoreId = vs["id"] as string
    yield* emulator.addFaults([{ operation: "create_batch", vectorStoreId, skip, fault }])
    return vectorStoreId
  })

describe("filebatch resubmit against the emulator", () => {
  layer(heldEmulatorLayer(emulatorOptions(key)), { excludeTestServices: true })((it) => {
    it.effect("splits the list at 2000 files a batch and prints the new batch IDs; repeats are sent once", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const vs = yield* emulator.store.createVectorStore("resubmit")
        const vectorStoreId = vs["id"] as string
        const before = (yield* createsOf(emulator)).length
        const list = listOf(["# not done", ...ids(0, 2500), "file-7", ""])
        const result = yield* cli(emulator, ["resubmit", vectorStoreId, "--from", list, "-o", "ids"], unpaced)
        expect(result.code, result.stderr).toBe(0)
        const created = result.stdout.trim().split("\n")
        expect(created).toHaveLength(2)
        expect(created.every((id) => id.startsWith("vsfb_"))).toBe(true)
        expect(result.stderr).toBe("2 batches created for 2500 files\n")
        const batches = yield* Effect.forEach(created, (id) => emulator.store.retrieveBatch(vectorStoreId, id))
        expect(batches.map((batch) => (batch["file_counts"] as { total: number }).total)).toEqual([2000, 500])
        expect((yield* createsOf(emulator)).length - before).toBe(2)
      }))

    it.effect("a bad line stops it before anything is sent, naming the line", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const before = (yield* createsOf(emulator)).length
        const list = listOf(["file-1", "file 2", "file-3"])
        const result = yield* cli(emulator, ["resubmit", "vs_any", "--from", list])
        expect(result.code).toBe(2)
        expect(result.stderr).toMatch(/^filebatch: nothing sent: .*ids\.txt: line 2: "file 2": one file ID a line\n$/)
        const swapped = yield* cli(emulator, ["resubmit", "vsfb_1", "--from", list])
        expect(swapped.code).toBe(2)
        expect(swapped.stderr).toMatch(/is a file batch ID, not a vector store ID/)
        expect((yield* createsOf(emulator)).length).toBe(before)
      }))

    it.effect("--dry-run reads the list and prints the plan; the API sees no request at all, cancel --from's neither", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const vs = yield* emulator.store.createVectorStore("dry-run")
        const vectorStoreId = vs["id"] as string
        const before = (yield* emulator.requests).length
        const list = listOf(ids(0, 4100))
        const plan = yield* cli(emulator, ["resubmit", vectorStoreId, "--from", list, "--dry-run", "--json"])
        expect(plan.code, plan.stderr).toBe(0)
        expect(JSON.parse(plan.stdout)).toEqual({
          dry_run: true,
          command: "resubmit",
          requests: { createFileBatch: 3 },
          seconds: 120,
          vector_store_id: vectorStoreId,
          files: 4100,
          batches: [2000, 2000, 100],
          pace: { requests_per_minute: 300, files_per_minute: 2000 }
        })
        const text = yield* cli(emulator, ["resubmit", vectorStoreId, "--from", list, "--dry-run"], {
          FILEBATCH_FILES_PER_MINUTE: "1000"
        })
        expect(text.stdout).toContain("5 batches of 1000, 1000, 1000, 1000, 100 files (4100 files)")
        expect(text.stdout).toContain("would take: about 4m at the pace")
        const cancels = yield* cli(
          emulator,
          ["cancel", "--from", "-", "--dry-run", "-o", "json"],
          {},
          [
            `${vectorStoreId} vsfb_1`,
            `${vectorStoreId} vsfb_2`,
            "vs_other vsfb_3"
          ].join("\n")
        )
        expect(cancels.code, cancels.stderr).toBe(0)
        expect(JSON.parse(cancels.stdout)).toMatchObject({ requests: { cancel: 3 }, batches: 3, vector_stores: 2 })
        expect((yield* emulator.requests).length).toBe(before)
      }))

    it.effect("a create that may have been accepted is not sent again: named with its files, exit 7 after others", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        // The second create fails with a 503 that says nothing about retrying.
        const vectorStoreId = yield* storeWithFault(emulator, { kind: "status", status: 503, retryAfterMs: 1 }, 1)
        const result = yield* cli(emulator, ["resubmit", vectorStoreId, "--from", listOf(ids(0, 4001))], unpaced)
        expect(result.code).toBe(7)
        expect(result.stdout).toMatch(/^✓ vsfb_\w+ \(vs_\w+\): in_progress/)
        expect(result.stderr).toMatch(
          /✗ files 2001–4000: server error: .*; the request may have been accepted: check the vector store's batches/
        )
        expect(result.stderr).toMatch(/1 of 3 batches created; files from 2001 on were not submitted\n$/)
        expect((yield* createsOf(emulator, vectorStoreId)).map((entry) => entry.status)).toEqual([200, 503])
      }))

    it.effect("a 429 proves nothing was made: that create is sent again and all go through", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const vectorStoreId = yield* storeWithFault(emulator, { kind: "status", status: 429, retryAfterMs: 1 })
        const result = yield* cli(emulator, ["resubmit", vectorStoreId, "--from", listOf(ids(0, 3)), "--json"])
        expect(result.code, result.stderr).toBe(0)
        expect(JSON.parse(result.stdout)).toMatchObject({ object: "vector_store.files_batch", status: "in_progress" })
        expect((yield* createsOf(emulator, vectorStoreId)).map((entry) => entry.status)).toEqual([429, 200])
      }))

    it.effect("--wait follows each new batch until it has stopped and prints it then", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const vs = yield* emulator.store.createVectorStore("resubmit")
        const vectorStoreId = vs["id"] as string
        const running = yield* Effect.fork(
          cli(emulator, ["resubmit", vectorStoreId, "--from", listOf(ids(0, 5)), "--wait"])
        )
        yield* untilRequest(
          emulator,
          (entry) => entry.operation === "retrieve" && entry.vectorStoreId === vectorStoreId
        )
        // Five files, five at once, 40 ms each.
        yield* emulator.progress.advance(40)
        const result = yield* Fiber.join(running)
        expect(result.code, result.stderr).toBe(0)
        expect(result.stdout).toMatch(/^✓ vsfb_\w+ \(vs_\w+\): completed — completed 5/)
        expect(result.stderr).toMatch(/1 batch created for 5 files, each followed until it stopped\n$/)
      }))
  })
})
