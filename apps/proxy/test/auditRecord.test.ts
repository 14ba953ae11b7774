import { describe, expect, it } from "@effect/vitest"
import { ProxyContract } from "@filebatch/core"
import { Effect, Either } from "effect"
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { openFileTrail } from "../src/audit/fileTrail.js"
import { type AuditEntry, genesis, seal, verify } from "../src/audit/record.js"
import { queryOf } from "../src/http/input.js"

const entry = (n: number): AuditEntry => ({
  time: new Date(Date.UTC(2026, 10, 29, 12, 0, n)).toISOString(),
  key: "team-a",
  operation: "cancel",
  vector_store_id: "vs_1",
  batch_id: `vsfb_${n}`,
  request_id: `req_${n}`,
  trace_id: null,
  status: 200,
  batch_status: "cancelling",
  error_type: null,
  upstream_request_id: `up_${n}`,
  attempts: 1,
  coalesced: false,
  replica: "host/1"
})

const chain = (count: number) => {
  let prev = genesis
  return Array.from({ length: count }, (_, i) => {
    const sealed = seal(entry(i), prev)
    prev = sealed.hash
    return { id: `r${i + 1}`, line: sealed.line }
  })
}

describe("the audit chain", () => {
  it("a sealed chain verifies, from the genesis hash", () => {
    expect(verify(chain(5), genesis)).toEqual({ _tag: "Intact", records: 5, first: "r1" })
    expect(verify([], genesis)).toEqual({ _tag: "Intact", records: 0, first: undefined })
  })

  it("changing any one byte of any record names that record", () => {
    const records = chain(6)
    for (let target = 0; target < records.length; target++) {
      const line = records[target]!.line
      // Every position of the line, the hash and prev included.
      for (let at = 0; at < line.length; at += 7) {
        const changed = line.slice(0, at) + (line[at] === "1" ? "2" : "1") + line.slice(at + 1)
        if (changed === line) continue
        const tampered = records.map((record, i) => i === target ? { ...record, line: changed } : record)
        const verdict = verify(tampered, genesis)
        expect(verdict._tag, `record ${target + 1}, byte ${at}`).toBe("Broken")
        if (verdict._tag === "Broken") expect(verdict.at.id, `record ${target + 1}, byte ${at}`).toBe(`r${target + 1}`)
      }
    }
  })

  it("a record removed or moved breaks the chain at the next one", () => {
    const records = chain(5)
    const removed = verify([...records.slice(0, 2), ...records.slice(3)], genesis)
    expect(removed).toMatchObject({ _tag: "Broken", at: { id: "r4", position: 3 } })
    const swapped = verify([records[0]!, records[2]!, records[1]!, records[3]!], genesis)
    expect(swapped).toMatchObject({ _tag: "Broken", at: { id: "r3" } })
  })

  it("a trail trimmed by its retention verifies from its first record kept", () => {
    expect(verify(chain(5).slice(2))).toMatchObject({ _tag: "Intact", records: 3, first: "r3" })
  })
})

describe("GET /audit's query, decoded by the contract's schema", () => {
  const parseQuery = (search: string) => queryOf(ProxyContract.AuditQuery, `/audit?${search}`, "error")
  const problem = (search: string) =>
    Either.match(parseQuery(search), { onLeft: (answer) => JSON.parse(answer.body).error, onRight: () => undefined })
  it("takes the filters, a time as ISO or epoch milliseconds, and a bounded limit", () => {
    expect(parseQuery("vector_store_id=vs_1&batch_id=vsfb_2&key=team-a&since=2026-11-29T00:00:00Z&limit=5")).toEqual(
      Either.right({
        vector_store_id: "vs_1",
        batch_id: "vsfb_2",
        key: "team-a",
        since: Date.UTC(2026, 10, 29),
        limit: 5
      })
    )
    expect(parseQuery("since=1700000000000&key=")).toEqual(Either.right({ since: 1700000000000, limit: 100 }))
    expect(problem("limit=0")).toMatchObject({
      param: "limit",
      message: "Invalid 'limit': must be a whole number from 1 to 10000."
    })
    expect(problem("limit=10001")).toMatchObject({ param: "limit" })
    expect(problem("since=yesterday")).toMatchObject({
      param: "since",
      message: "Invalid 'since': must be an ISO 8601 time or milliseconds since the epoch."
    })
    expect(problem("batch=vsfb_1")).toMatchObject({ param: "batch", code: "invalid_value" })
  })
})

describe("the audit file", () => {
  it.effect("reads the newest records from the end, across its rotated file, and a reopened trail goes on with the chain", () =>
    Effect.gen(function*() {
      const path = join(mkdtempSync(join(tmpdir(), "filebatch-trail-")), "trail.jsonl")
      const at = (n: number) => ({ ...entry(n), time: new Date(Date.UTC(2026, 10, 29) + n * 1000).toISOString() })
      const first = yield* openFileTrail(path, 1000)
      // Records of ~450 bytes: 1,500 of them span many 64 KiB chunks, and a rotation.
      for (let n = 0; n < 1500; n++) yield* first.append({ ...at(n), key: n % 3 === 0 ? "team-c" : "team-a" })
      first.close()
      const trail = yield* openFileTrail(path, 1000)
      for (let n = 1500; n < 1600; n++) yield* trail.append(at(n))
      trail.close()

      const ids = (lines: ReadonlyArray<string>) => lines.map((line) => JSON.parse(line).request_id)
      const newest = yield* trail.read({ limit: 700 })
      expect(ids(newest)).toEqual(Array.from({ length: 700 }, (_, i) => `req_${900 + i}`))
      const teamC = yield* trail.read({ key: "team-c", limit: 3 })
      expect(ids(teamC)).toEqual(["req_1491", "req_1494", "req_1497"])
      const since = yield* trail.read({ since: Date.UTC(2026, 10, 29) + 1590 * 1000, limit: 100 })
      expect(ids(since)).toEqual(Array.from({ length: 10 }, (_, i) => `req_${1590 + i}`))
      // One chain over both files, through the reopening.
      const records = [path + ".1", path].flatMap((file) =>
        readFileSync(file, "utf8").trim().split("\n").map((line, i) => ({ id: `${file}:${i + 1}`, line }))
      )
      expect(records).toHaveLength(1600)
      expect(verify(records, genesis)).toMatchObject({ _tag: "Intact", records: 1600 })
    }))
})
