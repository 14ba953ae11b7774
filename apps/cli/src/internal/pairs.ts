import { FileBatchError, FileBatchId } from "@filebatch/core"
import { Either } from "effect"
import { withoutComment } from "./input.js"

/** A line of bulk input: its number, and the checked pair to cancel or why the line is not one. */
export interface InputLine {
  readonly line: number
  readonly ref: Either.Either<FileBatchId.CheckedFileBatchRef, FileBatchError.InvalidArgumentError>
}

/**
 * Parses bulk input: one `vector_store_id batch_id` pair per line (space, tab or comma
 * separated), or one batch ID per line when a vector store is given. Blank lines and
 * comments are skipped; each pair is checked here, once, and a bad line becomes an error
 * of its own that stops nothing.
 */
export const parsePairs = (text: string, vectorStoreId: string | undefined): Array<InputLine> => {
  const lines: Array<InputLine> = []
  text.split(/\r?\n/).forEach((raw, index) => {
    // `vs_1 vsfb_x#y` is refused as a whole, not cancelled as `vsfb_x`.
    const content = withoutComment(raw)
    if (content === "") return
    const fields = content.split(/[\s,]+/).filter((field) => field !== "")
    const line = index + 1
    if (fields.length === 2) {
      lines.push({ line, ref: FileBatchId.check({ vectorStoreId: fields[0], batchId: fields[1] }) })
    } else if (fields.length === 1 && vectorStoreId !== undefined) {
      lines.push({ line, ref: FileBatchId.check({ vectorStoreId, batchId: fields[0] }) })
    } else {
      lines.push({
        line,
        ref: Either.left(
          new FileBatchError.InvalidArgumentError({
            argument: `line ${line}`,
            message: `expected ${vectorStoreId === undefined ? "'vector_store_id batch_id'" : "a batch ID"}, got ${
              JSON.stringify(content.slice(0, 80))
            }`
          })
        )
      })
    }
  })
  return lines
}
