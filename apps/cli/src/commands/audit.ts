/**
 * `filebatch audit`: who cancelled (or created) what, from the proxy's audit trail on its
 * admin port (`GET /audit`). Lines for people, or the records as NDJSON with --json.
 */
import { Command, Options } from "@effect/cli"
import { AuditRecord } from "@filebatch/core"
import { Config, Effect, Option, ParseResult, Schema } from "effect"
import * as Shared from "../internal/command.js"
import { ExitCode } from "../internal/exitCode.js"
import { CliFailure } from "../internal/failure.js"

const adminUrlVariable = "FILEBATCH_PROXY_ADMIN_URL"

const text = (name: string, description: string) =>
  Options.text(name).pipe(Options.withDescription(description), Options.optional)

const options = {
  adminUrl: text("admin-url", `The proxy's admin port, e.g. http://127.0.0.1:9090 (env: ${adminUrlVariable})`),
  vectorStoreId: text("vector-store", "Only this vector store's records"),
  batchId: text("batch", "Only this batch's records"),
  key: text("key", "Only this client key's records (its name)"),
  since: text("since", "Only records at or after this time (ISO 8601, e.g. 2026-11-29T03:00:00Z)"),
  limit: Options.integer("limit").pipe(
    Options.withDescription("The newest this many matching records (1 to 10000)"),
    Options.withDefault(100)
  ),
  json: Options.boolean("json").pipe(Options.withDescription("The records as NDJSON, as the proxy keeps them"))
}

const decodeRecord = Schema.decode(Schema.parseJson(AuditRecord.AuditRecord))

const failure = (code: number, message: string) => new CliFailure({ code, message })

const lineOf = (record: AuditRecord.AuditRecord) =>
  [
    record.time,
    record.key,
    record.operation,
    record.vector_store_id,
    record.batch_id ?? "-",
    String(record.status),
    (record.batch_status ?? record.error_type ?? "-") + (record.coalesced ? " (shared)" : ""),
    `attempts=${record.attempts}`,
    `request=${record.request_id}`
  ].join("  ")

export const audit = Command.make("audit", options, (flags) =>
  Effect.gen(function*() {
    const fromEnv = yield* Config.option(Config.string(adminUrlVariable)).pipe(
      Effect.orElseSucceed(() => Option.none())
    )
    const base = Option.orElse(flags.adminUrl, () => fromEnv)
    if (Option.isNone(base)) {
      return yield* Shared.usageError(`give the proxy's admin URL: --admin-url or ${adminUrlVariable}`)
    }
    let url: URL
    try {
      url = new URL("/audit", base.value)
    } catch {
      return yield* Shared.usageError(`--admin-url must be a URL like http://127.0.0.1:9090 (got ${base.value})`)
    }
    const query: Record<string, Option.Option<string>> = {
      vector_store_id: flags.vectorStoreId,
      batch_id: flags.batchId,
      key: flags.key,
      since: flags.since
    }
    for (const [name, value] of Object.entries(query)) if (Option.isSome(value)) url.searchParams.set(name, value.value)
    url.searchParams.set("limit", String(flags.limit))
    const response = yield* Effect.tryPromise({
      try: (signal) => fetch(url, { signal }),
      catch: (error) =>
        failure(
          ExitCode.upstream,
          `could not reach the proxy's admin port at ${url.origin} (${(error as Error).message})`
        )
    })
    const body = yield* Effect.tryPromise({
      try: () => response.text(),
      catch: () => failure(ExitCode.upstream, "the proxy's answer broke off")
    })
    if (!response.ok) {
      let message = body
      try {
        message = (JSON.parse(body) as { error: string }).error
      } catch {
        // not JSON: said as received
      }
      return yield* Effect.fail(failure(
        response.status === 400 ? ExitCode.usage : response.status === 404 ? ExitCode.notFound : ExitCode.upstream,
        `the proxy answered ${response.status}: ${message}`
      ))
    }
    if (flags.json) {
      yield* Effect.sync(() => process.stdout.write(body))
      return
    }
    const records = yield* Effect.forEach(
      body.split("\n").filter((line) => line !== ""),
      (line, index) =>
        Effect.mapError(
          decodeRecord(line),
          (error) =>
            failure(
              ExitCode.upstream,
              `record ${index + 1} of the proxy's answer is not an audit record: ${
                ParseResult.TreeFormatter.formatErrorSync(error).split("\n")[0]
              }`
            )
        )
    )
    yield* Effect.sync(() =>
      records.length === 0
        ? process.stderr.write("no matching records\n")
        : process.stdout.write(records.map((record) => `${lineOf(record)}\n`).join(""))
    )
  })).pipe(
    Command.withDescription(Shared.described("Show the proxy's audit trail: who cancelled or created what, and when", [
      "filebatch audit --admin-url http://127.0.0.1:9090 --batch vsfb_abc123",
      "filebatch audit --key team-a --since 2026-11-29T00:00:00Z --json"
    ]))
  )
