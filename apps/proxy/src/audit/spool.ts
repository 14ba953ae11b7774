/**
 * The audit spool: records that could not be added to the Redis stream (Redis unreachable)
 * wait in a local append-only JSON-lines file until they can be, so that an audit trail
 * does not forget the calls made during an incident. Each record is one `write` of a whole
 * line, made before its answer is sent, under an ID of its own: the stream skips an ID it
 * has already added, so a replica killed mid-way through adding its spool adds no record
 * twice when it starts again. One process per spool, held by a lock file beside it (a
 * process that died holding it is noticed and its spool taken over).
 */
import { randomUUID } from "node:crypto"
import {
  closeSync,
  existsSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeSync
} from "node:fs"
import { dirname } from "node:path"
import type { AuditEntry } from "./record.js"

/** A record waiting in the spool: its ID (for the stream to skip it once added) and its entry. */
export interface Spooled {
  readonly id: string
  readonly entry: AuditEntry
}

export interface Spool {
  readonly path: string
  /** Records waiting now. */
  readonly records: () => number
  /** When the oldest waiting record's call was made (epoch ms); undefined when none waits. */
  readonly oldestMillis: () => number | undefined
  /** Writes the entry as one whole line; throws when it cannot (a full disk). */
  readonly add: (entry: AuditEntry) => void
  /** The waiting records, oldest first, read a chunk at a time. */
  readonly waiting: () => Generator<Spooled>
  /** Empties the spool once every waiting record is in the stream. */
  readonly clear: () => void
  readonly close: () => void
}

const chunkBytes = 64 * 1024

/** A file's whole lines from its start, read a chunk at a time; a cut-off last line is left out. */
function* wholeLines(path: string): Generator<string> {
  const fd = openSync(path, "r")
  try {
    const chunk = Buffer.alloc(chunkBytes)
    let rest = Buffer.alloc(0)
    for (let read = readSync(fd, chunk); read > 0; read = readSync(fd, chunk)) {
      let bytes = Buffer.concat([rest, chunk.subarray(0, read)])
      for (let end = bytes.indexOf(0x0a); end >= 0; end = bytes.indexOf(0x0a)) {
        const line = bytes.subarray(0, end).toString("utf8")
        if (line !== "") yield line
        bytes = bytes.subarray(end + 1)
      }
      rest = bytes
    }
  } finally {
    closeSync(fd)
  }
}

const parse = (line: string): Spooled | undefined => {
  try {
    const spooled = JSON.parse(line) as Partial<Spooled>
    return typeof spooled.id === "string" && typeof spooled.entry === "object" && spooled.entry !== null
      ? spooled as Spooled
      : undefined
  } catch {
    return undefined
  }
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/** Takes the lock beside the spool, or says which live process holds it. */
const lock = (lockPath: string) => {
  for (let tries = 0; tries < 3; tries++) {
    try {
      const fd = openSync(lockPath, "wx", 0o600)
      writeSync(fd, `${process.pid}\n`)
      closeSync(fd)
      return
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
    }
    let holder = Number.NaN
    try {
      holder = Number(readFileSync(lockPath, "utf8").trim())
    } catch {
      // Removed since: try again.
    }
    // This process's own PID in the lock is an earlier process's (a container's PID 1 restarted).
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
      throw new Error(`in use by process ${holder} (${lockPath}): give each replica a spool of its own`)
    }
    rmSync(lockPath, { force: true })
  }
  throw new Error(`could not take its lock ${lockPath}`)
}

/**
 * Opens the spool at `path` (made if missing, with its folder), taking over what an earlier
 * process left in it.
 */
export const openSpool = (path: string): Spool => {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  const lockPath = `${path}.lock`
  lock(lockPath)
  let count = 0
  let oldest: number | undefined
  if (existsSync(path)) {
    for (const line of wholeLines(path)) {
      const spooled = parse(line)
      if (spooled === undefined) continue
      count += 1
      oldest ??= Date.parse(spooled.entry.time)
    }
  }
  const fd = openSync(path, "a", 0o600)
  return {
    path,
    records: () => count,
    oldestMillis: () => oldest,
    add: (entry) => {
      // Led by a newline: a line a crash cut off (never acknowledged) stays a line of its own, and is skipped.
      writeSync(fd, `\n${JSON.stringify({ id: randomUUID(), entry })}\n`)
      count += 1
      oldest ??= Date.parse(entry.time)
    },
    waiting: function*() {
      for (const line of wholeLines(path)) {
        const spooled = parse(line)
        if (spooled !== undefined) yield spooled
      }
    },
    clear: () => {
      ftruncateSync(fd, 0)
      count = 0
      oldest = undefined
    },
    close: () => {
      closeSync(fd)
      rmSync(lockPath, { force: true })
    }
  }
}
