/**
 * The audit trail in a Redis Stream, one for every replica. A record is added by a script
 * that first checks the chain's head (kept beside the stream): if another replica added one
 * since, nothing is written and the record is sealed again on the new head. So the chain
 * holds whatever the replicas do, and a replica killed mid-write leaves either its whole
 * record or none. `XADD … MAXLEN ~ n` keeps the stream at about `maxRecords`.
 */
import { Effect, Option } from "effect"
import { type AuditTrailService, AuditWriteError } from "./AuditTrail.js"
import { type AuditEntry, type AuditQuery, genesis, matches, seal } from "./record.js"

// KEYS: stream, head. ARGV: expected head, new head, line, max length.
// Returns "" when added, else the head found.
const appendScript = `local head = redis.call("get", KEYS[2]) or "${genesis}"
if head ~= ARGV[1] then return head end
redis.call("xadd", KEYS[1], "MAXLEN", "~", ARGV[4], "*", "record", ARGV[3])
redis.call("set", KEYS[2], ARGV[2])
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
}

// A replica that keeps losing the race is unlikely past a few rounds; this bounds a pathological case.
const maxRounds = 50
const page = 500

export const makeRedisTrail = (redis: RedisCommands, stream: string, maxRecords: number): AuditTrailService => {
  const headKey = `${stream}:head`
  let head = genesis
  const unreachable = () => new AuditWriteError(`audit stream ${stream}: Redis could not be reached`)
  const lock = Effect.unsafeMakeSemaphore(1)

  const append = (entry: AuditEntry) =>
    lock.withPermits(1)(Effect.gen(function*() {
      for (let round = 0; round < maxRounds; round++) {
        const sealed = seal(entry, head)
        const result = yield* redis.command(() =>
          redis.commands.eval(appendScript, 2, stream, headKey, head, sealed.hash, sealed.line, maxRecords)
        )
        if (Option.isNone(result)) return yield* Effect.fail(unreachable())
        if (result.value === "") {
          head = sealed.hash
          return
        }
        head = String(result.value)
      }
      return yield* Effect.fail(new AuditWriteError(`audit stream ${stream}: the head kept moving`))
    }))

  // Newest first, page by page, until enough match or the records are older than asked.
  const read = (query: AuditQuery) =>
    Effect.gen(function*() {
      const found: Array<string> = []
      let end = "+"
      const start = query.sinceMillis === undefined ? "-" : String(Math.floor(query.sinceMillis))
      while (found.length < query.limit) {
        const entries = yield* redis.command(() => redis.commands.xrevrange(stream, end, start, "COUNT", page))
        if (Option.isNone(entries)) return yield* Effect.fail(unreachable())
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

  return { describe: `redis stream ${stream}`, append, read }
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
