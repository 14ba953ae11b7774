/**
 * `filebatch cleanup` against the emulator: the batch's cancelled files detached (only those
 * the store still holds so), planned with --dry-run, --delete-files refused without --yes off a
 * terminal, and a run stopped by Ctrl-C finished by a second with no file removed twice. Every
 * state is made: progress held and advanced, requests held by a fault, never raced.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Emulator } from "@filebatch/emulator"
import { cliBundle, eventually, heldEmulatorLayer, spawnNode } from "@filebatch/testkit"
import { Effect } from "effect"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { cli, emulatorOptions, key } from "./cliHarness.js"

/** A store with a batch of `count` files named after `prefix`, cancelled before any was done. */
const cancelledBatch = (emulator: Emulator.EmulatorService, prefix: string, count: number) =>
  Effect.gen(function*() {
    const vs = yield* emulator.store.createVectorStore("cleanup")
    const vectorStoreId = vs["id"] as string
    const fileIds = Array.from({ length: count }, (_, i) => `file-${prefix}${i}`)
    const batch = yield* Effect.orDie(emulator.store.createBatch(vectorStoreId, fileIds))
    const batchId = batch["id"] as string
    yield* Effect.orDie(emulator.store.cancelBatch(vectorStoreId, batchId))
    yield* emulator.progress.advance(emulatorOptions(key).cancelDelayMillis)
    return { vectorStoreId, batchId, fileIds }
  })

const storeFiles = (emulator: Emulator.EmulatorService, vectorStoreId: string, filter?: string) =>
  Effect.map(
    Effect.orDie(emulator.store.listStoreFiles(vectorStoreId, { limit: "100", filter })),
    (list) => (list["data"] as Array<{ id: string }>).map((file) => file.id)
  )

/** The DELETEs the emulator answered for this store's files (or any File), by file. */
const deletesOf = (emulator: Emulator.EmulatorService, fileIds: ReadonlyArray<string>) =>
  Effect.map(
    emulator.requests,
    (log) => log.filter((entry) => entry.method === "DELETE" && fileIds.includes(entry.fileId ?? ""))
  )

const jsonLines = (text: string) =>
  text.trim().split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as Record<string, unknown>)

describe("filebatch cleanup against the emulator", () => {
  layer(heldEmulatorLayer(emulatorOptions(key)), { excludeTestServices: true })((it) => {
    it.effect("detaches the batch's cancelled files, one JSON line each; the store keeps none; again finds nothing", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const { batchId, fileIds, vectorStoreId } = yield* cancelledBatch(emulator, "a", 12)
        const result = yield* cli(emulator, ["cleanup", vectorStoreId, batchId, "--json"])
        expect(result.code, result.stderr).toBe(0)
        const lines = jsonLines(result.stdout)
        expect(lines.map((line) => line["file_id"]).sort()).toEqual([...fileIds].sort())
        expect(new Set(lines.map((line) => `${line["action"]} ${line["outcome"]}`))).toEqual(
          new Set(["detach detached"])
        )
        expect(result.stderr).toBe("12 files: 12 detached, 0 already gone, 0 failed\n")
        expect(yield* storeFiles(emulator, vectorStoreId)).toEqual([])
        const again = yield* cli(emulator, ["cleanup", vectorStoreId, batchId])
        expect(again.code, again.stderr).toBe(0)
        expect(again.stderr).toMatch(/^nothing to clean up: no cancelled files of batch/)
        expect((yield* deletesOf(emulator, fileIds)).length).toBe(12)
      }))

    it.effect("leaves alone a file that a later batch attached again: the store holds it otherwise", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const { batchId, vectorStoreId } = yield* cancelledBatch(emulator, "b", 5)
        yield* Effect.orDie(emulator.store.createBatch(vectorStoreId, ["file-b0", "file-b1"]))
        const result = yield* cli(emulator, ["cleanup", vectorStoreId, batchId, "-o", "ids"])
        expect(result.code, result.stderr).toBe(0)
        expect(result.stdout.trim().split("\n").sort()).toEqual(["file-b2", "file-b3", "file-b4"])
        expect(result.stderr).toContain("2 left alone (attached again since)")
        expect((yield* storeFiles(emulator, vectorStoreId)).sort()).toEqual(["file-b0", "file-b1"])
      }))

    it.effect("--dry-run reads and plans; a refused --delete-files sends nothing at all", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const { batchId, fileIds, vectorStoreId } = yield* cancelledBatch(emulator, "c", 7)
        const plan = yield* cli(emulator, ["cleanup", vectorStoreId, batchId, "--dry-run", "--json"])
        expect(plan.code, plan.stderr).toBe(0)
        expect(JSON.parse(plan.stdout)).toMatchObject({
          dry_run: true,
          command: "cleanup",
          requests: { deleteVectorStoreFile: 7 },
          action: "detach",
          files: 7
        })
        const deletePlan = yield* cli(emulator, ["cleanup", vectorStoreId, batchId, "--delete-files", "--dry-run"])
        expect(deletePlan.stdout).toContain("would send: 7 deleteFile")
        expect(deletePlan.stdout).toContain("it leaves every vector store that holds it")
        const before = (yield* emulator.requests).length
        const refused = yield* cli(emulator, ["cleanup", vectorStoreId, batchId, "--delete-files"])
        expect(refused.code).toBe(2)
        expect(refused.stderr).toMatch(/confirm with --yes .*nothing sent/)
        expect((yield* emulator.requests).length).toBe(before)
        expect((yield* deletesOf(emulator, fileIds)).length).toBe(0)
        expect((yield* storeFiles(emulator, vectorStoreId, "cancelled")).length).toBe(7)
      }))

    it.effect("--from a list: a store that is not there is a 404 (exit 4), not files already gone", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const list = join(mkdtempSync(join(tmpdir(), "filebatch-cleanup-")), "list.txt")
        writeFileSync(list, "file-x0\nfile-x1\n")
        const missing = yield* cli(emulator, ["cleanup", "vs_notthere", "--from", list])
        expect(missing.code, missing.stderr).toBe(4)
        expect(missing.stderr).toMatch(/^filebatch: not found: No vector store found/)
        const { fileIds, vectorStoreId } = yield* cancelledBatch(emulator, "x", 2)
        const found = yield* cli(emulator, ["cleanup", vectorStoreId, "--from", list, "-o", "ids"])
        expect(found.code, found.stderr).toBe(0)
        expect(found.stdout.trim().split("\n").sort()).toEqual(fileIds)
      }))

    it.effect("--delete-files --yes deletes each File: it leaves every store that held it", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const { batchId, vectorStoreId } = yield* cancelledBatch(emulator, "d", 3)
        const elsewhere = yield* emulator.store.createVectorStore("elsewhere")
        const otherStore = elsewhere["id"] as string
        yield* Effect.orDie(emulator.store.createBatch(otherStore, ["file-d0"]))
        const result = yield* cli(emulator, ["cleanup", vectorStoreId, batchId, "--delete-files", "--yes", "--json"])
        expect(result.code, result.stderr).toBe(0)
        expect(jsonLines(result.stdout).map((line) => `${line["action"]} ${line["outcome"]}`)).toEqual([
          "delete deleted",
          "delete deleted",
          "delete deleted"
        ])
        expect(yield* storeFiles(emulator, vectorStoreId)).toEqual([])
        expect(yield* storeFiles(emulator, otherStore)).toEqual([])
      }))

    it.effect("Ctrl-C stops it (130) with the report of what is left; a second run finishes, nothing removed twice", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const { batchId, fileIds, vectorStoreId } = yield* cancelledBatch(emulator, "e", 10)
        // Three detaches go through; every later one is held, as a slow API would keep it.
        yield* emulator.addFaults([
          { operation: "detach_file", vectorStoreId, skip: 3, times: "always", fault: { kind: "hold" } }
        ])
        const report = join(mkdtempSync(join(tmpdir(), "filebatch-cleanup-")), "left.txt")
        const run = spawnNode(
          cliBundle,
          ["cleanup", vectorStoreId, batchId, "--concurrency", "2", "--report", report],
          {
            OPENAI_API_KEY: key,
            OPENAI_BASE_URL: emulator.url
          }
        )
        yield* Effect.promise(() =>
          eventually("two held detaches", () => Effect.runPromise(emulator.held).then((held) => held === 2))
        )
        const code = yield* Effect.promise(() => run.stop("SIGINT"))
        expect(code, run.output()).toBe(130)
        expect(run.stderr()).toMatch(/interrupted: 10 files: 3 detached, 0 already gone, 0 failed; 7 not done/)
        const left = readFileSync(report, "utf8").split("\n").filter((line) => line !== "" && !line.startsWith("#"))
        expect(left).toHaveLength(7)
        // The held detaches reach the API after all, as a request cut off on our side may.
        yield* emulator.clearFaults
        yield* emulator.releaseHeld
        const resumed = yield* cli(emulator, ["cleanup", vectorStoreId, "--from", report, "--json"])
        expect(resumed.code, resumed.stderr).toBe(0)
        const outcomes = jsonLines(resumed.stdout).map((line) => line["outcome"])
        expect(outcomes).toHaveLength(7)
        expect(outcomes.every((outcome) => outcome === "detached" || outcome === "already_gone")).toBe(true)
        expect(yield* storeFiles(emulator, vectorStoreId)).toEqual([])
        // Each file was removed by exactly one request that succeeded.
        const removed = (yield* deletesOf(emulator, fileIds)).filter((entry) => entry.status === 200)
        expect(removed.map((entry) => entry.fileId).sort()).toEqual([...fileIds].sort())
      }))
  })
})
