/**
 * The audit trail in an append-only JSON-lines file, for a proxy without Redis (one
 * process: several workers need Redis). Each record is one `write` of a whole line, made
 * before the answer is sent, so a process killed at any moment leaves whole lines and
 * loses no record whose client got an answer. Retention: once the file holds
 * `maxRecords`, it becomes `<file>.1` (replacing the one before) and a new file goes on
 * with the chain.
 */
import { Effect } from "effect"
import { closeSync, existsSync, openSync, readFileSync, readSync, renameSync, statSync, writeSync } from "node:fs"
import { type AuditTrailService, AuditWriteError } from "./AuditTrail.js"
import { type AuditEntry, type AuditQuery, genesis, hashOf, matches, seal } from "./record.js"

const linesOf = (path: string): Array<string> =>
  existsSync(path) ? readFileSync(path, "utf8").split("\n").filter((line) => line !== "") : []

/** The last line of a file, read from its end. */
const lastLineOf = (path: string): string | undefined => {
  if (!existsSync(path)) return undefined
  const size = statSync(path).size
  const fd = openSync(path, "r")
  try {
    const length = Math.min(size, 64 * 1024)
    const buffer = Buffer.alloc(length)
    readSync(fd, buffer, 0, length, size - length)
    const lines = buffer.toString("utf8").split("\n").filter((line) => line !== "")
    return lines.at(-1)
  } finally {
    closeSync(fd)
  }
}

export const openFileTrail = (
  path: string,
  maxRecords: number
): Effect.Effect<AuditTrailService & { readonly close: () => void }, AuditWriteError> =>
  Effect.try({
    try: () => {
      const rotated = `${path}.1`
      // The chain goes on from the last record kept, in this file or the one rotated before it.
      let head = hashOf(lastLineOf(path) ?? lastLineOf(rotated) ?? "") ?? genesis
      let records = linesOf(path).length
      let fd = openSync(path, "a", 0o600)
      const append = (entry: AuditEntry) =>
        Effect.try({
          try: () => {
            if (records >= maxRecords) {
              closeSync(fd)
              renameSync(path, rotated)
              fd = openSync(path, "a", 0o600)
              records = 0
            }
            const sealed = seal(entry, head)
            writeSync(fd, `${sealed.line}\n`)
            head = sealed.hash
            records += 1
          },
          catch: (error) => new AuditWriteError(`audit file ${path}: ${(error as Error).message}`)
        })
      const read = (query: AuditQuery) =>
        Effect.try({
          try: () => [...linesOf(rotated), ...linesOf(path)].filter((line) => matches(query, line)).slice(-query.limit),
          catch: (error) => new AuditWriteError(`audit file ${path}: ${(error as Error).message}`)
        })
      return { describe: `file ${path}`, append, read, close: () => closeSync(fd) }
    },
    catch: (error) => new AuditWriteError(`audit file ${path}: ${(error as Error).message}`)
  })
