import { describe, expect, layer } from "@effect/vitest"
import { Emulator } from "@filebatch/emulator"
import { cliBundle, heldEmulatorLayer, runCli, spawnNode } from "@filebatch/testkit"
import { Effect, Fiber } from "effect"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { cli, emulatorOptions, key, seed, untilRequest } from "./cliHarness.js"

const packageVersion = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  version: string
}).version

describe("the bundled filebatch CLI against the emulator", () => {
  layer(
    heldEmulatorLayer(emulatorOptions(key)),
    {
      excludeTestServices: true
    }
  )((it) => {
    it.effect("cancel prints a summary and says the cancel is asynchronous", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const { batchId, vectorStoreId } = yield* seed(emulator)
        const result = yield* cli(emulator, ["cancel", vectorStoreId, batchId])
        expect(result.code).toBe(0)
        expect(result.stdout).toMatch(new RegExp(`^${batchId} \\(${vectorStoreId}\\): in_progress — completed \\d+`))
        expect(result.stderr).toMatch(/cancellation is asynchronous/)
      }))

    it.effect("--json prints the API object exactly", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const { batchId, vectorStoreId } = yield* seed(emulator)
        const result = yield* cli(emulator, ["cancel", vectorStoreId, batchId, "--json"])
        expect(result.code).toBe(0)
        const printed = JSON.parse(result.stdout)
        expect(Object.keys(printed).sort()).toEqual(
          ["created_at", "file_counts", "id", "object", "status", "vector_store_id"]
        )
        expect(printed).toMatchObject({
          id: batchId,
          object: "vector_store.files_batch",
          vector_store_id: vectorStoreId
        })
        const drifted = yield* seed(emulator)
        yield* emulator.addFaults([{ operation: "retrieve", fault: { kind: "drift", drift: "extra-fields" } }])
        const get = yield* cli(emulator, ["get", drifted.vectorStoreId, drifted.batchId, "--json"])
        // Extra fields the schema does not know are printed as received.
        expect(JSON.parse(get.stdout)).toMatchObject({ usage_bytes: 123, metadata: { drift: true } })
      }))

    it.effect("--wait follows the batch to `cancelled` with consistent counts; progress lines when not a TTY", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const { batchId, vectorStoreId } = yield* seed(emulator, 200)
        // Two rounds of 5 files done before the cancel.
        yield* emulator.progress.advance(80)
        const running = yield* Effect.fork(cli(emulator, ["cancel", vectorStoreId, batchId, "--wait"]))
        // Once the cancel has landed (and while the CLI polls), let the cancel delay pass.
        yield* untilRequest(emulator, (entry) => entry.operation === "cancel" && entry.batchId === batchId)
        yield* untilRequest(emulator, (entry) => entry.operation === "retrieve" && entry.batchId === batchId)
        yield* emulator.progress.advance(300)
        const result = yield* Fiber.join(running)
        expect(result.code).toBe(0)
        const match = result.stdout.match(
          /cancelled — completed (\d+) · failed (\d+) · cancelled (\d+) · in progress (\d+) · total (\d+)/
        )
        expect(match?.slice(1).map(Number)).toEqual([10, 0, 190, 0, 200])
        const progress = result.stderr.trim().split("\n")
        expect(progress.length).toBeGreaterThanOrEqual(2)
        expect(progress[0]).toMatch(/^\d{4}-\d\d-\d\dT.* vsfb_\w+ in_progress: completed/)
        expect(result.stderr).not.toContain("\x1b[")
        const json = yield* cli(emulator, ["watch", vectorStoreId, batchId, "--json"])
        expect(JSON.parse(json.stdout.trim().split("\n").at(-1)!)).toMatchObject({ status: "cancelled" })
      }))

    it.effect("Ctrl-C or SIGTERM while following exits 130 or 143 and says the batch may still be running", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const env = { OPENAI_API_KEY: key, OPENAI_BASE_URL: emulator.url }
        for (
          const [args, signal, code] of [
            [["watch"], "SIGINT", 130],
            [["cancel", "--wait"], "SIGTERM", 143]
          ] as const
        ) {
          const { batchId, vectorStoreId } = yield* seed(emulator)
          const running = spawnNode(cliBundle, [...args, vectorStoreId, batchId], env)
          // Following for real: the first progress line is out.
          yield* Effect.promise(() => running.waitFor(/in_progress: completed/))
          running.child.kill(signal)
          expect(yield* Effect.promise(() => running.exit), signal).toBe(code)
          expect(running.output()).toContain(
            `filebatch: interrupted: batch ${batchId} may still be running; follow it with ` +
              `'filebatch watch ${vectorStoreId} ${batchId}'`
          )
        }
      }))

    it.effect("cancel --wait --json streams every snapshot as NDJSON, like watch --json", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const { batchId, vectorStoreId } = yield* seed(emulator, 20)
        const running = yield* Effect.fork(cli(emulator, ["cancel", vectorStoreId, batchId, "--wait", "--json"]))
        yield* untilRequest(emulator, (entry) => entry.operation === "retrieve" && entry.batchId === batchId)
        yield* emulator.progress.advance(300)
        const result = yield* Fiber.join(running)
        expect(result.code).toBe(0)
        const snapshots = result.stdout.trim().split("\n").map((line) => JSON.parse(line))
        expect(snapshots.length).toBeGreaterThanOrEqual(2)
        expect(snapshots[0]).toMatchObject({ id: batchId, status: "in_progress" })
        expect(snapshots.at(-1)).toMatchObject({ id: batchId, status: "cancelled" })
      }))

    it.effect("files lists every file of a batch (all pages); cancel --wait --report writes the IDs that did not complete", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const { batchId, vectorStoreId } = yield* seed(emulator, 130)
        // Two rounds of 5 done before the cancel: 10 completed, 120 cancelled.
        yield* emulator.progress.advance(80)
        const report = join(mkdtempSync(join(tmpdir(), "filebatch-report-")), "not-done.txt")
        const running = yield* Effect.fork(
          cli(emulator, ["cancel", vectorStoreId, batchId, "--wait", "--report", report])
        )
        yield* untilRequest(emulator, (entry) => entry.operation === "retrieve" && entry.batchId === batchId)
        yield* emulator.progress.advance(300)
        const result = yield* Fiber.join(running)
        expect(result.code).toBe(0)
        expect(result.stderr).toMatch(
          /report: 120 files did not complete \(120 cancelled, 0 failed\), IDs in .*not-done\.txt/
        )
        const ids = readFileSync(report, "utf8").trim().split("\n")
        expect(ids).toHaveLength(120)
        expect(new Set(ids).size).toBe(120)
        expect(ids).not.toContain("file-0")
        // `files` follows every page (130 files, 100 a page), as lines or NDJSON.
        const all = yield* cli(emulator, ["files", vectorStoreId, batchId])
        expect(all.code).toBe(0)
        expect(all.stdout.trim().split("\n")).toHaveLength(130)
        expect(all.stdout).toMatch(/^file-0\tcompleted$/m)
        const completed = yield* cli(emulator, ["files", vectorStoreId, batchId, "--filter", "completed", "--json"])
        const lines = completed.stdout.trim().split("\n").map((line) => JSON.parse(line))
        expect(lines).toHaveLength(10)
        expect(lines.every((file) => file.status === "completed" && file.object === "vector_store.file")).toBe(true)
        const misuse = yield* cli(emulator, ["cancel", vectorStoreId, batchId, "--report", report])
        expect(misuse.code).toBe(2)
        expect(misuse.stderr).toBe("filebatch: --report goes with --wait\n")
      }))

    it.effect("--api-key-file reads the key from a file or standard input; it is never shown", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const { batchId, vectorStoreId } = yield* seed(emulator)
        const keyFile = join(mkdtempSync(join(tmpdir(), "filebatch-key-")), "key")
        writeFileSync(keyFile, `${key}\n`)
        const fromFile = yield* cli(emulator, ["get", vectorStoreId, batchId, "--api-key-file", keyFile], {
          OPENAI_API_KEY: ""
        })
        expect(fromFile.code).toBe(0)
        const fromStdin = yield* cli(emulator, ["get", vectorStoreId, batchId, "--api-key-file", "-"], {
          OPENAI_API_KEY: ""
        }, `${key}\n`)
        expect(fromStdin.code).toBe(0)
        const missing = yield* cli(emulator, ["get", vectorStoreId, batchId, "--api-key-file", `${keyFile}.nope`])
        expect(missing.code).toBe(2)
        expect(missing.stderr).toMatch(/^filebatch: --api-key-file: cannot read .*key\.nope: ENOENT\n$/)
      }))

    it.effect("errors read as one plain sentence: a missing --from file, a non-JSON answer, an unreachable host", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const missing = yield* cli(emulator, ["cancel", "--from", "/nonexistent/batches.txt"])
        expect(missing.code).toBe(2)
        expect(missing.stderr).toBe("filebatch: cannot read /nonexistent/batches.txt: no such file\n")
        const { batchId, vectorStoreId } = yield* seed(emulator)
        yield* emulator.addFaults([{ batchId, operation: "retrieve", fault: { kind: "non-json" } }])
        const html = yield* cli(emulator, ["get", vectorStoreId, batchId])
        expect(html.code).toBe(6)
        expect(html.stderr).toMatch(
          /^filebatch: unexpected response: the answer \(HTTP 200\) is not JSON \(request req_\w+\)\n$/
        )
        const unreachable = yield* cli(emulator, [
          "get",
          vectorStoreId,
          batchId,
          "--base-url",
          "http://127.0.0.1:9/v1",
          "--max-retries",
          "0"
        ])
        expect(unreachable.code).toBe(6)
        expect(unreachable.stderr).toBe("filebatch: connection failed: could not reach 127.0.0.1:9 (ECONNREFUSED)\n")
      }))

    it.effect("a maximum wait that runs out ends with a clear message and exit 6", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const { batchId, vectorStoreId } = yield* seed(emulator, 5000)
        const result = yield* cli(emulator, ["watch", vectorStoreId, batchId, "--max-wait", "300ms"])
        expect(result.code).toBe(6)
        expect(result.stderr).toMatch(/filebatch: still running: batch vsfb_\w+ did not stop within 300ms/)
        // The same from core's environment variable, in the same grammar.
        const fromEnv = yield* cli(emulator, ["watch", vectorStoreId, batchId], { FILEBATCH_MAX_WAIT: "0.3s" })
        expect(fromEnv.code).toBe(6)
        expect(fromEnv.stderr).toMatch(/did not stop within 300ms/)
      }))

    it.effect("401 and 404 give their exit codes and one clear line with the request id", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const { batchId, vectorStoreId } = yield* seed(emulator)
        const wrongKey = yield* cli(emulator, ["get", vectorStoreId, batchId], { OPENAI_API_KEY: "sk-wrong-0000-1111" })
        expect(wrongKey.code).toBe(3)
        expect(wrongKey.stderr).toMatch(
          /^filebatch: authentication failed: Incorrect API key provided: .* \(HTTP 401, request req_\w+\)\n$/
        )
        expect(wrongKey.stderr).not.toContain("sk-wrong-0000-1111")
        const missing = yield* cli(emulator, ["cancel", vectorStoreId, "vsfb_missing"])
        expect(missing.code).toBe(4)
        expect(missing.stderr).toMatch(
          /^filebatch: not found: No file batch found with id 'vsfb_missing'.* \(HTTP 404, request req_\w+\)\n$/
        )
        expect(missing.stderr).not.toMatch(/\n\s+at /)
      }))

    it.effect("a 429 with retry-after is retried and then succeeds", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const { batchId, vectorStoreId } = yield* seed(emulator)
        yield* emulator.addFaults([{
          operation: "cancel",
          batchId,
          fault: { kind: "status", status: 429, retryAfter: 1 }
        }])
        const result = yield* cli(emulator, ["cancel", vectorStoreId, batchId, "--json"])
        expect(result.code).toBe(0)
        expect(result.millis).toBeGreaterThanOrEqual(1000)
        const cancels = (yield* emulator.requests).filter((entry) =>
          entry.operation === "cancel" && entry.batchId === batchId
        )
        expect(cancels.map((entry) => entry.status)).toEqual([429, 200])
      }))

    it.effect("a 429 that outlasts the retries exits 5", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const { batchId, vectorStoreId } = yield* seed(emulator)
        yield* emulator.addFaults([{ batchId, times: 3, fault: { kind: "status", status: 429, retryAfterMs: 10 } }])
        const result = yield* cli(emulator, ["cancel", vectorStoreId, batchId, "--max-retries", "2"])
        expect(result.code).toBe(5)
        expect(result.stderr).toMatch(/^filebatch: rate limited: /)
      }))

    it.effect("bulk cancels every listed batch, reports each, and exits 7 when some failed", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const a = yield* seed(emulator)
        const b = yield* seed(emulator)
        const input = [
          `# batches to stop`,
          `${a.vectorStoreId} ${a.batchId}`,
          `${b.vectorStoreId},${b.batchId}`,
          `${a.vectorStoreId} vsfb_missing`,
          `${a.vectorStoreId} bad/id`,
          `just-one-field`,
          `${a.vectorStoreId} vsfb_x#not-a-comment`,
          `${b.vectorStoreId} ${b.batchId} # a comment after white space`,
          ""
        ].join("\n")
        const result = yield* cli(emulator, ["cancel", "--from", "-", "--concurrency", "2"], {}, input)
        expect(result.code).toBe(7)
        const lines = result.stdout.trim().split("\n")
        expect(lines.filter((line) => line.startsWith("✓"))).toHaveLength(3)
        expect(lines.filter((line) => line.startsWith("✗"))).toHaveLength(4)
        expect(result.stdout).toMatch(/✗ vsfb_missing .*not found/)
        // Every rejected line in one format, on stdout, with its number; checked before anything is sent.
        expect(result.stdout).toMatch(/^✗ line 5: invalid argument: batch ID "bad\/id" may only contain/m)
        expect(result.stdout).toMatch(
          /^✗ line 6: invalid argument: expected 'vector_store_id batch_id', got "just-one-field"$/m
        )
        expect(result.stdout).toMatch(/^✗ line 7: invalid argument: batch ID "vsfb_x#not-a-comment" may only contain/m)
        expect(result.stderr).toMatch(/7 batches: 3 cancel requested, 4 failed/)
        expect(result.stderr).toMatch(/filebatch: 4 of 7 cancels failed/)
        const json = yield* cli(
          emulator,
          ["cancel", "--from", "-", "--vector-store", a.vectorStoreId, "--json"],
          {},
          `${a.batchId}\nvsfb_nope\nvs_wrong\n`
        )
        const objects = json.stdout.trim().split("\n").map((line) => JSON.parse(line))
        expect(objects).toHaveLength(3)
        expect(objects.find((o) => o.line === 3)).toMatchObject({ line: 3, error: { type: "InvalidArgumentError" } })
        expect(objects.find((o) => o.id === a.batchId)).toBeDefined()
        expect(objects.find((o) => o.error && o.batch_id !== undefined)).toMatchObject({
          batch_id: "vsfb_nope",
          error: { type: "NotFoundError", status: 404 }
        })
        expect(json.code).toBe(7)
      }))

    it.effect("bad input: usage errors exit 2 and nothing reaches the server", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        yield* emulator.clearRequests
        const swapped = yield* cli(emulator, ["cancel", "vsfb_abc", "vs_abc"])
        expect(swapped.code).toBe(2)
        expect(swapped.stderr).toMatch(/look swapped/)
        const traversal = yield* cli(emulator, ["get", "vs_1", "../../files"])
        expect(traversal.code).toBe(2)
        const badDuration = yield* cli(emulator, ["watch", "vs_1", "vsfb_1", "--max-wait", "soon"])
        expect(badDuration.code).toBe(2)
        expect(badDuration.stdout + badDuration.stderr).toMatch(/"soon" is not a duration/)
        const noKey = yield* cli(emulator, ["get", "vs_1", "vsfb_1"], { OPENAI_API_KEY: "" })
        expect(noKey.code).toBe(2)
        expect(noKey.stderr).toBe(
          "filebatch: invalid setting: --api-key / --api-key-file / OPENAI_API_KEY must not be empty\n"
        )
        const unsetKey = yield* Effect.promise(() =>
          runCli(["get", "vs_1", "vsfb_1"], { OPENAI_BASE_URL: emulator.url })
        )
        expect(unsetKey.code).toBe(2)
        expect(unsetKey.stderr).toBe("filebatch: no API key: pass --api-key or --api-key-file, or set OPENAI_API_KEY\n")
        const noIds = yield* cli(emulator, ["cancel"])
        expect(noIds.code).toBe(2)
        expect(noIds.stderr).toMatch(/give <vector_store_id> <batch_id>, or --from/)
        const badUrl = yield* cli(emulator, ["get", "vs_1", "vsfb_1", "--base-url", "ftp://x"])
        expect(badUrl.code).toBe(2)
        expect(badUrl.stderr).toBe(
          "filebatch: invalid setting: --base-url / OPENAI_BASE_URL must use http or https (got ftp:)\n"
        )
        const retries = yield* cli(emulator, ["get", "vs_1", "vsfb_1", "--max-retries", "-1"])
        expect(retries.code).toBe(2)
        expect(retries.stderr).toBe(
          "filebatch: invalid setting: --max-retries / FILEBATCH_MAX_RETRIES must be a whole number from 0 to 20 (got -1)\n"
        )
        const badEnv = yield* cli(emulator, ["get", "vs_1", "vsfb_1"], { FILEBATCH_TIMEOUT: "soon" })
        expect(badEnv.code).toBe(2)
        expect(badEnv.stderr).toMatch(/^filebatch: invalid setting: FILEBATCH_TIMEOUT: "soon" is not a duration/)
        expect(yield* emulator.requests).toHaveLength(0)
      }))

    it.effect("--api-key and debug logs never print the key; --version works", () =>
      Effect.gen(function*() {
        const emulator = yield* Emulator.Emulator
        const { batchId, vectorStoreId } = yield* seed(emulator)
        yield* emulator.addFaults([{ batchId, fault: { kind: "status", status: 500, message: `boom ${key}` } }])
        const result = yield* cli(
          emulator,
          ["get", vectorStoreId, batchId, "--api-key", key, "--log-level", "debug"],
          { OPENAI_API_KEY: "" }
        )
        expect(result.code).toBe(0)
        expect(result.stderr).toMatch(/retrieve attempt 1 failed: ServerError/)
        const version = yield* cli(emulator, ["--version"])
        // One line, nothing after it (`filebatch --version | tail -1` is the version).
        expect(version.stdout).toBe(`${packageVersion}\n`)
      }))
  })
})
