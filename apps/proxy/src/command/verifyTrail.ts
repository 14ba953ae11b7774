/**
 * `filebatch-proxy audit verify`'s work: checks an audit trail's chain, in files or in a
 * Redis stream, and names the first record that breaks it. Exit status 0: intact; 1: broken;
 * 2: the trail cannot be read. (Its command line is `command.ts`.)
 */
import { readFileSync } from "node:fs"
import { readHead } from "../audit/fileTrail.js"
import { genesis, hashOf, type Verdict, verify } from "../audit/record.js"
import { redisOptionsFromUrl } from "../shared/redisOptions.js"

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
  const { streamRecords } = await import("../audit/redisTrail.js")
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

/** What `audit verify` reads: files in order, or a stream. */
export type TrailSource =
  | { readonly _tag: "Files"; readonly paths: ReadonlyArray<string> }
  | { readonly _tag: "Stream"; readonly url: string; readonly stream: string }

/** Checks the trail and reports it; resolves to the exit status (0 intact, 1 broken, 2 unreadable). */
export const verifyTrail = async (source: TrailSource): Promise<number> => {
  try {
    return source._tag === "Files"
      ? reportWithHead(fileRecords(source.paths), readHead(source.paths.at(-1)!), source.paths.join(", "), true)
      : await redisVerdict(source.url, source.stream)
  } catch (error) {
    // Never the URL: it may hold a password.
    process.stderr.write(`filebatch-proxy audit: cannot read the trail: ${(error as Error).message}\n`)
    return 2
  }
}
