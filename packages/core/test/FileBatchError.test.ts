import { describe, expect, it } from "@effect/vitest"
import { FileBatchError } from "@filebatch/core"

describe("FileBatchError", () => {
  it("isFileBatchWaitError tells core's errors from anything else, without a list of tags to keep", () => {
    const ours = [
      new FileBatchError.NotFoundError({ status: 404, message: "no such batch" }),
      new FileBatchError.ConnectionError({ message: "refused" }),
      new FileBatchError.WaitTimeoutError({
        vectorStoreId: "vs_1",
        batchId: "vsfb_1",
        maxWaitMillis: 1000,
        message: "still running"
      })
    ]
    for (const error of ours) expect(FileBatchError.isFileBatchWaitError(error), error._tag).toBe(true)
    for (const other of [new Error("x"), { _tag: "SomethingElse" }, "NotFoundError", undefined]) {
      expect(FileBatchError.isFileBatchWaitError(other)).toBe(false)
    }
  })
})
