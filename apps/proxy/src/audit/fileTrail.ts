/**
 * The audit trail in an append-only JSON-lines file, for a proxy without Redis (one
 * process: several workers need Redis). Each record is one `write` of a whole line, made
 * before the answer is sent, so a process killed at any moment leaves whole lines and
 * loses no record whose client got an answer. Retention: once the file holds
 * `maxRecords`, it becomes `<file>.1` (replacing the one before) and a new file goes on
 * with the chain.
 *
 * The chain's head (the last record's hash) is kept beside it in `<file>.head`, written
 * after each record: records cut off the end leave a head that names none of them, which
 * `audit verify` reports. A proxy that starts on such a file goes on from the head, not from
 * the file's last record, so the cut stays visible in the chain.
 */
import { Effect } from "effect"
import { closeSync, existsSync, openSync, readFileSync, readSync, renameSync, statSync, writeSync } from "node:fs"
import { type AuditTrailService, AuditWriteError } from "./AuditTrail.js"
import { type AuditEntry, type AuditQuery, genesis, hashOf, matches, seal, timeOf } from "./record.js"

const chunkBytes = 64 * 1024

/** A file's lines from its end back, read a chunk at a time: a trail of a million records is never read whole. */
function* linesBackwards(path: string): Generator<string> {
  if (!existsSync(path)) return
  const fd = openSync(path, "r")
  try {
    let position = statSync(path).size
    let rest = Buffer.alloc(0)
    while (position > 0) {
      const length = Math.min(chunkBytes, position)
      position -= length
      const chunk = Buffer.alloc(length)
      readSync(fd, chunk, 0, length, position)
      let bytes = Buffer.concat([chunk, rest])
      for (let end = bytes.lastIndexOf(0x0a); end >= 0; end = bytes.lastIndexOf(0x0a)) {
        const line = bytes.subarray(end + 1).toString("utf8")
        if (line !== "") yield line
        bytes = bytes.subarray(0, end)
      }
      rest = bytes
    }
    if (rest.length > 0) yield rest.toString("utf8")
  } finally {
    closeSync(fd)
  }
}

/** How many lines a file holds, counted a chunk at a time. */
const lineCount = (path: string): number => {
  if (!existsSync(path)) return 0
  const fd = openSync(path, "r")
  try {
    const chunk = Buffer.alloc(chunkBytes)
    let count = 0
    for (let read = readSync(fd, chunk); read > 0; read = readSync(fd, chunk)) {
      for (let at = chunk.indexOf(0x0a); at >= 0 && at < read; at = chunk.indexOf(0x0a, at + 1)) count += 1
    }
    return count
  } finally {
    closeSync(fd)
  }
}

const lastLineOf = (path: string): string | undefined => linesBackwards(path).next().value ?? undefined

/** The head kept beside a trail file: the hash of its last record. */
export const headPathOf = (path: string) => `${path}.head`

/** The head written beside `path`, if any. */
export const readHead = (path: string): string | undefined => {
  const headPath = headPathOf(path)
  if (!existsSync(headPath)) return undefined
  const head = readFileSync(headPath, "utf8").trim()
  return /^[0-9a-f]{64}$/.test(head) ? head : undefined
}

/** The newest `limit` records matching the query, oldest first: read from the end until enough, or older than asked. */
const newestMatching = (query: AuditQuery, newestFirst: ReadonlyArray<string>): Array<string> => {
  const found: Array<string> = []
  for (const path of newestFirst) {
    for (const line of linesBackwards(path)) {
      if (query.since !== undefined && Date.parse(timeOf(line)) < query.since) return found.reverse()
      if (matches(query, line)) found.push(line)
      if (found.length >= query.limit) return found.reverse()
    }
  }
  return found.reverse()
}

export const openFileTrail = (
  path: string,
  maxRecords: number
): Effect.Effect<AuditTrailService & { readonly close: () => void }, AuditWriteError> =>
  Effect.try({
    try: () => {
      const rotated = `${path}.1`
      // The chain goes on from its head, else the last record kept (a trail from before heads were kept).
      let head = readHead(path) ?? hashOf(lastLineOf(path) ?? lastLineOf(rotated) ?? "") ?? genesis
      let records = lineCount(path)
      let fd = openSync(path, "a", 0o600)
      const headPath = headPathOf(path)
      // Rewritten in place, always 65 bytes: never a moment with no head.
      const headFd = openSync(headPath, existsSync(headPath) ? "r+" : "w+", 0o600)
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
            writeSync(headFd, `${head}\n`, 0)
          },
          catch: (error) => new AuditWriteError(`audit file ${path}: ${(error as Error).message}`)
        })
      const read = (query: AuditQuery) =>
        Effect.try({
          try: () => newestMatching(query, [path, rotated]),
          catch: (error) => new AuditWriteError(`audit file ${path}: ${(error as Error).message}`)
        })
      const close = () => {
        closeSync(fd)
        closeSync(headFd)
      }
      return { describe: `file ${path}`, append, read, close }
    },
    catch: (error) => new AuditWriteError(`audit file ${path}: ${(error as Error).message}`)
  })
