/**
 * The audit trail in a Redis Stream, one for every replica. A record is added by a script
 * that first checks the chain's head (kept beside the stream): if another replica added one
 * since, nothing is written and the record is sealed again on the new head. So the chain
 * holds whatever the replicas do, and a replica killed mid-write leaves either its whole
 * record or none. `XADD … MAXLEN ~ n` keeps the stream at about `maxRecords`.
 *
 * While Redis cannot be reached, records go to the spool (spool.ts), and so does every
 * record after them until the spool is empty again: the replica's records reach the stream
 * in the order of their calls. The spool is added to the stream, in order and chained, when
 * Redis is back, when the replica starts, and before any record while it is not empty.
 */
import { Effect, Option } from "effect"
import { type AuditTrailService, AuditWriteError } from "./AuditTrail.js"
import { type AuditEntry, type AuditQuery, genesis, matches, seal } from "./record.js"
import type { Spool } from "./spool.js"

// KEYS: stream, head, the spooled record's ID key (the head again for a record not spooled).
// ARGV: expected head, new head, line, max length, "1" if spooled.
// Returns "" when added, "=" when that spooled record was added before, else the head found.
const appendScript = `if ARGV[5] == "1" and redis.call("exists", KEYS[3]) == 1 then return "=" end
local head = redis.call("get", KEYS[2]) or "${genesis}"
if head ~= ARGV[1] then return head end
redis.call("xadd", KEYS[1], "MAXLEN", "~", ARGV[4], "*", "record", ARGV[3])
redis.call("set", KEYS[2], ARGV[2])
if ARGV[5] == "1" then redis.call("set", KEYS[3], "1", "EX", ${7 * 24 * 3600}) end
return ""`

/** What the trail needs of the proxy's Redis connection. */
export interface RedisCommands {
  readonly commands: {
    readonly eval: (script: string, keys: number, ...args: Array<string | number>) => Promise<unknown>
    readonly xrevrange: (
      key: string,
      end: string,
      start: string,
      count: "COUNT",
      n: number
    ) => Promise<Array<[string, Array<string>]>>
  }
  /** A command; `None` when Redis could not be reached. */
  readonly command: <A>(run: () => Promise<A>) => Effect.Effect<Option.Option<A>>
  readonly state: { readonly up: () => boolean }
  /** Runs `listener` each time Redis is back; the returned function stops it. */
  readonly onUp: (listener: () => void) => () => void
}

// A replica that keeps losing the race is unlikely past a few rounds; this bounds a pathological case.
const maxRounds = 50
const page = 500

/** The trail, with its spool's depth for `/metrics` and `/readyz`, and `flush` to add the spool to the stream. */
export interface RedisTrail extends AuditTrailService {
  readonly spool: Pick<Spool, "records" | "oldestMillis" | "path">
  /** Adds what the spool holds to the stream, if Redis answers; the rest waits for the next time. */
  readonly flush: Effect.Effect<void>
}

/** The newest records matching the query, oldest first: newest first, page by page, until enough match or the records are older than asked. */
const readStream = (redis: RedisCommands, stream: string, query: AuditQuery) =>
  Effect.gen(function*() {
    const found: Array<string> = []
    let end = "+"
    const start = query.since === undefined ? "-" : String(Math.floor(query.since))
    while (found.length < query.limit) {
      const entries = yield* redis.command(() => redis.commands.xrevrange(stream, end, start, "COUNT", page))
      if (Option.isNone(entries)) {
        return yield* Effect.fail(new AuditWriteError(`audit stream ${stream}: Redis could not be reached`))
      }
      for (const [, fields] of entries.value) {
        const line = fields[1]
        if (line !== undefined && matches(query, line)) found.push(line)
        if (found.length >= query.limit) break
      }
      if (entries.value.length < page) break
      end = `(${entries.value.at(-1)![0]}`
    }
    return found.reverse()
  })

export const makeRedisTrail = (
  redis: RedisCommands,
  stream: string,
  maxRecords: number,
  spool: Spool
): RedisTrail => {
  const headKey = `${stream}:head`
  let head = genesis
  const lock = Effect.unsafeMakeSemaphore(1)

  /** Adds one record to the stream: true when added (or added before), false when Redis could not be reached. */
  const addToStream = (entry: AuditEntry, spooledId?: string) =>
    Effect.gen(function*() {
      const idKey = spooledId === undefined ? headKey : `${stream}:spooled:${spooledId}`
      for (let round = 0; round < maxRounds; round++) {
        const sealed = seal(entry, head)
        const result = yield* redis.command(() =>
          redis.commands.eval(
            appendScript,
            3,
            stream,
            headKey,
            idKey,
            head,
            sealed.hash,
            sealed.line,
            maxRecords,
            spooledId === undefined ? "0" : "1"
          )
        )
        if (Option.isNone(result)) return false
        if (result.value === "" || result.value === "=") {
          if (result.value === "") head = sealed.hash
          return true
        }
        head = String(result.value)
      }
      return yield* Effect.fail(new AuditWriteError(`audit stream ${stream}: the head kept moving`))
    })

  /** The spool into the stream, oldest first; true when it is empty afterwards. */
  const drain = Effect.suspend(() => {
    if (spool.records() === 0) return Effect.succeed(true)
    if (!redis.state.up()) return Effect.succeed(false)
    return Effect.gen(function*() {
      for (const { entry, id } of spool.waiting()) {
        if (!(yield* addToStream(entry, id))) return false
      }
      spool.clear()
      return true
    })
  })

  const toSpool = (entry: AuditEntry) =>
    Effect.try({
      try: () => spool.add(entry),
      catch: (error) =>
        new AuditWriteError(
          `audit stream ${stream}: Redis could not be reached, and the spool ${spool.path} could not be written: ${
            (error as Error).message
          }`
        )
    })

  const append = (entry: AuditEntry) =>
    lock.withPermits(1)(Effect.gen(function*() {
      // Behind records still waiting in the spool, a record waits too: the stream keeps their order.
      if (!(yield* drain)) return yield* toSpool(entry)
      if (!redis.state.up() || !(yield* addToStream(entry))) return yield* toSpool(entry)
    }))

  const flush = lock.withPermits(1)(drain).pipe(
    Effect.catchAll((error) =>
      Effect.logError("audit spool not added to the stream").pipe(
        Effect.annotateLogs({ error: error.message, spool: spool.path, records: spool.records() })
      )
    ),
    Effect.asVoid
  )

  const read = (query: AuditQuery) => readStream(redis, stream, query)
  return { describe: `redis stream ${stream}`, append, read, spool, flush }
}

/** Every record of the stream, oldest first, with its ID: for `audit verify`. */
export const streamRecords = async (
  commands: {
    xrange: (
      key: string,
      start: string,
      end: string,
      count: "COUNT",
      n: number
    ) => Promise<Array<[string, Array<string>]>>
  },
  stream: string
): Promise<Array<{ id: string; line: string }>> => {
  const records: Array<{ id: string; line: string }> = []
  let start = "-"
  for (;;) {
    const entries = await commands.xrange(stream, start, "+", "COUNT", 1000)
    for (const [id, fields] of entries) records.push({ id, line: fields[1] ?? "" })
    if (entries.length < 1000) return records
    start = `(${entries.at(-1)![0]}`
  }
}
