import { describe, expect, it } from "@effect/vitest"
import { FileBatchId } from "@filebatch/core"
import { Effect, Either, Schema } from "effect"

const check = (vectorStoreId: string, batchId: string) =>
  Effect.either(FileBatchId.validateRef({ vectorStoreId, batchId }))

describe("FileBatchId", () => {
  it.effect("accepts real-looking IDs", () =>
    Effect.gen(function*() {
      const ok = yield* check("vs_abc-123_XYZ", "vsfb_0a9Z-_")
      expect(Either.isRight(ok)).toBe(true)
    }))

  it.effect("rejects hostile or malformed IDs, naming the argument", () =>
    Effect.gen(function*() {
      const bad = [
        "",
        "..",
        "vs_a/b",
        "vs_a%2Fb",
        "vs_a\r\nX: y",
        "vs_a b",
        "vs_é",
        "vs_a?x=1",
        "vs_a#b",
        "x".repeat(129)
      ]
      for (const id of bad) {
        const asStore = yield* check(id, "vsfb_1")
        expect(Either.isLeft(asStore), JSON.stringify(id)).toBe(true)
        if (Either.isLeft(asStore)) {
          expect(asStore.left._tag).toBe("InvalidArgumentError")
          expect(asStore.left.argument).toBe("vectorStoreId")
        }
        const asBatch = yield* check("vs_1", id)
        expect(Either.isLeft(asBatch) && asBatch.left.argument === "batchId", JSON.stringify(id)).toBe(true)
      }
      expect(Either.isRight(yield* check("x".repeat(128), "vsfb_1"))).toBe(true)
    }))

  it.effect("says so when the two IDs look swapped", () =>
    Effect.gen(function*() {
      const swapped = yield* check("vsfb_abc", "vs_abc")
      expect(Either.isLeft(swapped) && swapped.left.message).toMatch(/look swapped/)
      const batchAsStore = yield* check("vsfb_abc", "vsfb_def")
      expect(Either.isLeft(batchAsStore) && batchAsStore.left.message).toMatch(/is a file batch ID, not a vector store/)
      const storeAsBatch = yield* check("vs_abc", "vs_def")
      expect(Either.isLeft(storeAsBatch) && storeAsBatch.left.message).toMatch(/is a vector store ID, not a file batch/)
    }))

  it("check gives a branded pair at the edge, or the error naming the argument", () => {
    const checked = FileBatchId.check({ vectorStoreId: "vs_1", batchId: "vsfb_2" })
    expect(checked).toEqual(Either.right({ vectorStoreId: "vs_1", batchId: "vsfb_2" }))
    const swapped = FileBatchId.check({ vectorStoreId: "vsfb_2", batchId: "vs_1" })
    expect(Either.isLeft(swapped) && swapped.left).toMatchObject({ argument: "vectorStoreId" })
    expect(Either.isLeft(swapped) && swapped.left.message).toMatch(/look swapped/)
    expect(Either.isLeft(FileBatchId.check({ vectorStoreId: "vs_1", batchId: "../x" }))).toBe(true)
    // The same rule as a Schema, for apps that decode their input with Schema.
    expect(Schema.decodeUnknownEither(FileBatchId.CheckedFileBatchRef)({ vectorStoreId: "vs_a", batchId: "vsfb_b" }))
      .toEqual(Either.right({ vectorStoreId: "vs_a", batchId: "vsfb_b" }))
    expect(Either.isLeft(Schema.decodeUnknownEither(FileBatchId.CheckedFileBatchRef)({ vectorStoreId: "vs_a" })))
      .toBe(true)
  })
})
