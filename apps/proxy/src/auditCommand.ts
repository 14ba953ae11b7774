/**
 * `filebatch-proxy audit verify`: checks an audit trail's chain, in files or in a Redis
 * stream, and names the first record that breaks it. Exit status 0: intact; 1: broken;
 * 2: the command line is wrong or the trail cannot be read.
 */
import { readFileSync } from "node:fs"
import { parseArgs } from "node:util"
import { readHead } from "./audit/fileTrail.js"
import { genesis, hashOf, type Verdict, verify } from "./audit/record.js"
import * as Settings from "./config/settings.js"
import { redisOptionsFromUrl } from "./shared/redisOptions.js"

const { auditStream, redisUrl } = Settings.proxy

export const auditUsage = `Usage:
  filebatch-proxy audit verify --file <path> [--file <path> …]
      the files in order, oldest first (e.g. --file trail.jsonl.1 --file trail.jsonl)
  filebatch-proxy audit verify --redis-url <url> [--stream <name>]
      the stream (default ${auditStream.fallback}); ${redisUrl.name} is read when --redis-url is absent

Checks that each record's hash matches its content and each record follows the one before
it; names the first record that does not. Exit status 0: intact; 1: broken; 2: usage or read error.
`

const fileRecords = (paths: ReadonlyArray<string>) =>
  paths.flatMap((path) =>
    readFileSync(path, "utf8").split("\n").flatMap((line, index) =>
      line === "" ? [] : [{ id: `${path}:${index + 1}`, line }]
    )
  )

/**
 * Whether the trail ends where its head says: records cut off the end leave a chain that is
 * whole, and only the head kept beside it tells. In a file, a head one record behind is a
 * process that stopped between writing its record and its head (a stream's script writes both
 * at once).
 */
const endsAtHead = (
  records: ReadonlyArray<{ readonly id: string; readonly line: string }>,
  head: string | undefined | null,
  where: string,
  oneBehind: boolean
): string | undefined => {
  if (head === undefined || head === null) return undefined
  const last = records.at(-1)
  if (last === undefined) {
    return head === genesis
      ? undefined
      : `broken: ${where} holds no record, but its head names one (records were removed)\n`
  }
  if (head === hashOf(last.line) || (oneBehind && records.length > 1 && head === hashOf(records.at(-2)!.line))) {
    return undefined
  }
  return `broken: after record ${records.length} (${last.id}): the trail's head is not its last record ` +
    "(records were removed from the end)\n"
}

const report = (verdict: Verdict, where: string): number => {
  if (verdict._tag === "Intact") {
    process.stdout.write(
      verdict.records === 0
        ? `intact: ${where} holds no record\n`
        : `intact: ${verdict.records} records in ${where}, chained from ${verdict.first}\n`
    )
    return 0
  }
  const { at } = verdict
  process.stdout.write(`broken: record ${at.position} (${at.id}): ${at.reason}\n`)
  return 1
}

const reportWithHead = (
  records: ReadonlyArray<{ readonly id: string; readonly line: string }>,
  head: string | undefined | null,
  where: string,
  oneBehind = false
): number => {
  const verdict = verify(records)
  const cut = verdict._tag === "Intact" ? endsAtHead(records, head, where, oneBehind) : undefined
  if (cut === undefined) return report(verdict, where)
  process.stdout.write(cut)
  return 1
}

const redisVerdict = async (url: string, stream: string): Promise<number> => {
  const options = redisOptionsFromUrl(url)
  if (typeof options === "string") throw new Error(options)
  const { Redis } = await import("ioredis")
  const { streamRecords } = await import("./audit/redisTrail.js")
  const redis = new Redis({ ...options, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null })
  redis.on("error", () => {})
  try {
    await redis.connect()
    const records = await streamRecords(redis, stream)
    return reportWithHead(records, await redis.get(`${stream}:head`), `stream ${stream}`)
  } finally {
    redis.disconnect()
  }
}

/** Runs `audit …` with `args` (after `audit`); resolves to the exit status. */
export const runAuditCommand = async (args: ReadonlyArray<string>): Promise<number> => {
  const fail = (message: string) => {
    process.stderr.write(`filebatch-proxy audit: ${message}\n\n${auditUsage}`)
    return 2
  }
  if (args[0] === "--help" || args[0] === "-h") {
    process.stdout.write(auditUsage)
    return 0
  }
  if (args[0] !== "verify") return fail(args[0] === undefined ? "say what to do: verify" : `unknown command ${args[0]}`)
  let parsed: ReturnType<typeof parseOptions>
  try {
    parsed = parseOptions(args.slice(1))
  } catch (error) {
    return fail((error as Error).message)
  }
  const { file, stream } = parsed.values
  const url = parsed.values["redis-url"] ??
    (file === undefined ? process.env[redisUrl.name] : undefined)
  if ((file === undefined) === (url === undefined)) return fail("give --file (one or more) or --redis-url")
  try {
    return file !== undefined
      ? reportWithHead(fileRecords(file), readHead(file.at(-1)!), file.join(", "), true)
      : await redisVerdict(url!, stream ?? auditStream.fallback)
  } catch (error) {
    // Never the URL: it may hold a password.
    process.stderr.write(`filebatch-proxy audit: cannot read the trail: ${(error as Error).message}\n`)
    return 2
  }
}

const parseOptions = (args: Array<string>) =>
  parseArgs({
    args,
    options: {
      file: { type: "string", multiple: true },
      "redis-url": { type: "string" },
      stream: { type: "string" }
    },
    strict: true,
    allowPositionals: false
  })
