import { describe, expect, layer } from "@effect/vitest"
import { Emulator } from "@filebatch/emulator"
import { heldEmulatorLayer } from "@filebatch/testkit"
import { Effect, Fiber } from "effect"
import { cli, emulatorOptions, key, seed, untilRequest } from "./cliHarness.js"

describe("bulk --wait and --output, from the bundle against the emulator", () => {
  layer(heldEmulatorLayer(emulatorOptions(key)), { excludeTestServices: true })((it) => {
    it.effect("cancel --from --wait follows every batch to its end and counts each stopped batch once", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const a = yield* seed(emulator, 200)
        const b = yield* seed(emulator, 200)
        yield* emulator.progress.advance(80)
        const input = `${a.vectorStoreId} ${a.batchId}\n${b.vectorStoreId} ${b.batchId}\n${a.vectorStoreId} vsfb_gone\n`
        const running = yield* Effect.fork(cli(emulator, ["cancel", "--from", "-", "--wait"], {}, input))
        // Both cancels landed and both are being followed: now let the cancel delay pass.
        for (const { batchId } of [a, b]) {
          yield* untilRequest(emulator, (entry) => entry.operation === "retrieve" && entry.batchId === batchId)
        }
        yield* emulator.progress.advance(300)
        const result = yield* Fiber.join(running)
        expect(result.code).toBe(7)
        const lines = result.stdout.trim().split("\n")
        expect(lines.filter((line) => line.startsWith("✓"))).toHaveLength(2)
        for (const { batchId } of [a, b]) {
          expect(lines.filter((line) => line.includes(batchId))).toEqual([
            expect.stringMatching(/^✓ vsfb_\w+ \(vs_\w+\): cancelled — completed 10 · failed 0 · cancelled 190 /)
          ])
        }
        expect(result.stdout).toMatch(/^✗ vsfb_gone \(vs_\w+\): not found/m)
        expect(result.stderr).toMatch(/^3 batches: 2 stopped \(2 cancelled\), 1 failed$/m)
        expect(result.stderr).toMatch(/filebatch: 1 of 3 cancels failed/)
      }))

    it.effect("-o ids prints bare IDs for a pipe (what failed goes to stderr); --json with -o table is refused", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const a = yield* seed(emulator, 20)
        const b = yield* seed(emulator, 20)
        const input = `${a.vectorStoreId} ${a.batchId}\n${b.vectorStoreId} ${b.batchId}\n${a.vectorStoreId} vsfb_gone\n`
        const bulk = yield* cli(emulator, ["cancel", "--from", "-", "-o", "ids"], {}, input)
        expect(bulk.code).toBe(7)
        expect(bulk.stdout.trim().split("\n").sort()).toEqual([a.batchId, b.batchId].sort())
        expect(bulk.stderr).toMatch(/^✗ vsfb_gone \(vs_\w+\): not found/m)
        const get = yield* cli(emulator, ["get", a.vectorStoreId, a.batchId, "--output", "ids"])
        expect(get.stdout).toBe(`${a.batchId}\n`)
        const files = yield* cli(emulator, ["files", a.vectorStoreId, a.batchId, "-o", "ids"])
        expect(files.code).toBe(0)
        const ids = files.stdout.trim().split("\n")
        expect(ids).toHaveLength(20)
        for (const id of ids) expect(id).toMatch(/^file-\d+$/)
        const both = yield* cli(emulator, ["get", a.vectorStoreId, a.batchId, "--json", "-o", "table"])
        expect(both.code).toBe(2)
        expect(both.stderr).toBe("filebatch: give --json or --output, not both\n")
        const unknown = yield* cli(emulator, ["get", a.vectorStoreId, a.batchId, "-o", "yaml"])
        expect(unknown.code).toBe(2)
      }))

    it.effect("a 429 in a bulk run is waited out and retried: every batch is cancelled", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const batches = [yield* seed(emulator, 20), yield* seed(emulator, 20), yield* seed(emulator, 20)]
        yield* emulator.addFaults([
          { batchId: batches[0]!.batchId, times: 2, fault: { kind: "status", status: 429, retryAfterMs: 50 } }
        ])
        const input = batches.map(({ batchId, vectorStoreId }) => `${vectorStoreId} ${batchId}`).join("\n")
        const result = yield* cli(emulator, ["cancel", "--from", "-", "--concurrency", "3"], {}, input)
        expect(result.code).toBe(0)
        expect(result.stdout.trim().split("\n").filter((line) => line.startsWith("✓"))).toHaveLength(3)
        expect(result.stderr).toMatch(/^3 batches: 3 cancel requested, 0 failed$/m)
      }))
  })
})
