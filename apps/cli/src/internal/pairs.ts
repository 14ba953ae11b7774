import { FileBatchError, type FileBatchId } from "@filebatch/core"
import { Either } from "effect"

/** A line of bulk input: a pair to cancel, or why the line is not one. */
export type InputLine = Either.Either<FileBatchId.FileBatchRef, FileBatchError.InvalidArgumentError>

/**
 * Parses bulk input: one `vector_store_id batch_id` pair per line (space, tab or comma
 * separated), or one batch ID per line when a vector store is given. Blank lines and
 * `#` comments are skipped; a bad line becomes an error of its own and stops nothing.
 */
export const parsePairs = (text: string, vectorStoreId: string | undefined): Array<InputLine> => {
  const lines: Array<InputLine> = []
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/#.*$/, "").trim()
    if (line === "") return
    const fields = line.split(/[\s,]+/).filter((field) => field !== "")
    const where = `line ${index + 1}`
    if (fields.length === 2) {
      lines.push(Either.right({ vectorStoreId: fields[0], batchId: fields[1] }))
    } else if (fields.length === 1 && vectorStoreId !== undefined) {
      lines.push(Either.right({ vectorStoreId, batchId: fields[0] }))
    } else {
      lines.push(Either.left(
        new FileBatchError.InvalidArgumentError({
          argument: where,
          message: `${where}: expected ${
            vectorStoreId === undefined ? "'vector_store_id batch_id'" : "a batch ID"
          }, got ${JSON.stringify(line.slice(0, 80))}`
        })
      ))
    }
  })
  return lines
}
