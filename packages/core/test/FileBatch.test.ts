import { describe, expect, it } from "@effect/vitest"
import { FileBatch } from "@filebatch/core"
import { Effect, Either } from "effect"
import { batchJson } from "./fixtures.js"

// The cancel example of the official spec, with its trailing comma removed.
const specExample = `{
  "id": "vsfb_abc123",
  "object": "vector_store.file_batch",
  "created_at": 1699061776,
  "vector_store_id": "vs_abc123",
  "status": "in_progress",
  "file_counts": { "in_progress": 12, "completed": 3, "failed": 0, "cancelled": 0, "total": 15 }
}`

const decode = (value: unknown) => Effect.either(FileBatch.decodeFileBatch(value))

describe("VectorStoreFileBatch", () => {
  it.effect("decodes the spec's cancel example with both object spellings", () =>
    Effect.gen(function*() {
      for (const object of ["vector_store.file_batch", "vector_store.files_batch"]) {
        const batch = yield* FileBatch.decodeFileBatch({ ...JSON.parse(specExample), object })
        expect(batch.object).toBe(object)
        expect(batch.status).toBe("in_progress")
        expect(batch.file_counts.total).toBe(15)
        expect(FileBatch.isTerminal(batch)).toBe(false)
        expect(FileBatch.countsAreConsistent(batch.file_counts)).toBe(true)
      }
    }))

  it.effect("keeps an undocumented status such as `cancelling` observable, and not terminal", () =>
    Effect.gen(function*() {
      const batch = yield* FileBatch.decodeFileBatch(batchJson({ status: "cancelling" }))
      expect(batch.status).toBe("cancelling")
      expect(FileBatch.isKnownStatus(batch.status)).toBe(false)
      expect(FileBatch.isTerminal(batch)).toBe(false)
    }))

  it.effect("ignores unknown extra fields", () =>
    Effect.gen(function*() {
      const batch = yield* FileBatch.decodeFileBatch(batchJson({ usage_bytes: 12, metadata: { a: 1 } }))
      expect(batch.id).toBe("vsfb_abc123")
      expect(Object.keys(batch)).not.toContain("usage_bytes")
    }))

  it.effect("rejects missing fields, fractional counts and other object types", () =>
    Effect.gen(function*() {
      const { file_counts: _, ...withoutCounts } = batchJson()
      const cases = [
        withoutCounts,
        batchJson({ created_at: 1.5 }),
        batchJson({ file_counts: { in_progress: 1, completed: 0.5, failed: 0, cancelled: 0, total: 2 } }),
        batchJson({ file_counts: { in_progress: -1, completed: 0, failed: 0, cancelled: 0, total: 0 } }),
        batchJson({ object: "vector_store" }),
        batchJson({ status: "" }),
        batchJson({ id: 42 }),
        null,
        "a string"
      ]
      for (const value of cases) {
        expect(Either.isLeft(yield* decode(value)), JSON.stringify(value)).toBe(true)
      }
    }))

  it("tells terminal statuses apart", () => {
    expect(["completed", "cancelled", "failed"].every((status) => FileBatch.isTerminal({ status }))).toBe(true)
    expect(["in_progress", "cancelling", "queued"].some((status) => FileBatch.isTerminal({ status }))).toBe(false)
  })

  it("checks that counts add up", () => {
    expect(FileBatch.countsAreConsistent({ in_progress: 1, completed: 1, failed: 1, cancelled: 1, total: 4 })).toBe(
      true
    )
    expect(FileBatch.countsAreConsistent({ in_progress: 1, completed: 1, failed: 1, cancelled: 1, total: 5 })).toBe(
      false
    )
  })
})
