/**
 * `filebatch audit`: who cancelled (or created) what, from the proxy's audit trail on its
 * admin port (`GET /audit`). Lines for people, or the records as NDJSON with --json.
 */
import { Command, Options } from "@effect/cli"
import type { HttpClient } from "@effect/platform"
import { AuditClient, type AuditRecord, Operation, ProxyContract } from "@filebatch/core"
import { Config, Effect, Either, type Layer, Option, Schema } from "effect"
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
    Options.withDescription(`The newest this many matching records (1 to ${ProxyContract.maxAuditLimit})`),
    Options.withDefault(100)
  ),
  json: Options.boolean("json").pipe(Options.withDescription("The records as NDJSON, as the proxy keeps them"))
}

const failure = (code: number, message: string) => new CliFailure({ code, message })

/** The flags as the route's query text, decoded by the route's own schema: a bad filter is said before anything is sent. */
const queryOf = (flags: {
  readonly vectorStoreId: Option.Option<string>
  readonly batchId: Option.Option<string>
  readonly key: Option.Option<string>
  readonly since: Option.Option<string>
  readonly limit: number
}) =>
  Schema.decodeUnknownEither(ProxyContract.AuditQuery)({
    vector_store_id: Option.getOrUndefined(flags.vectorStoreId),
    batch_id: Option.getOrUndefined(flags.batchId),
    key: Option.getOrUndefined(flags.key),
    since: Option.getOrUndefined(flags.since),
    limit: String(flags.limit)
  }).pipe(Either.mapLeft((error) => {
    const { message, param } = Operation.firstIssue(error)
    const flag = { vector_store_id: "vector-store", batch_id: "batch" }[param] ?? param
    return failure(ExitCode.usage, `--${flag} ${message}`)
  }))

const exitCodeOf: Record<AuditClient.AuditReadError["reason"], number> = {
  BadQuery: ExitCode.usage,
  NoTrail: ExitCode.notFound,
  Unavailable: ExitCode.upstream,
  NotARecord: ExitCode.upstream
}

const lineOf = (record: AuditRecord.AuditRecord) =>
  [
    record.time,
    record.key,
    record.operation,
    record.vector_store_id ?? "-",
    record.file_id ?? record.batch_id ?? "-",
    String(record.status),
    (record.batch_status ?? record.error_type ?? "-") + (record.coalesced ? " (shared)" : ""),
    `attempts=${record.attempts}`,
    `request=${record.request_id}`
  ].join("  ")

/** The command, reading over the HTTP client of `httpLayer`. */
export const audit = (httpLayer: Layer.Layer<HttpClient.HttpClient>) =>
  Command.make("audit", options, (flags) =>
    Effect.gen(function*() {
      const fromEnv = yield* Config.option(Config.string(adminUrlVariable)).pipe(
        Effect.orElseSucceed(() => Option.none())
      )
      const base = Option.orElse(flags.adminUrl, () => fromEnv)
      if (Option.isNone(base)) {
        return yield* Shared.usageError(`give the proxy's admin URL: --admin-url or ${adminUrlVariable}`)
      }
      if (!URL.canParse(base.value)) {
        return yield* Shared.usageError(`--admin-url must be a URL like http://127.0.0.1:9090 (got ${base.value})`)
      }
      const query = yield* queryOf(flags)
      const { lines, records } = yield* AuditClient.read(base.value, query).pipe(
        Effect.mapError((error) => failure(exitCodeOf[error.reason], error.message)),
        Effect.provide(httpLayer)
      )
      yield* Effect.sync(() => {
        if (flags.json) process.stdout.write(lines.map((line) => `${line}\n`).join(""))
        else if (records.length === 0) process.stderr.write("no matching records\n")
        else process.stdout.write(records.map((record) => `${lineOf(record)}\n`).join(""))
      })
    })).pipe(
      Command.withDescription(
        Shared.described("Show the proxy's audit trail: who cancelled, created or deleted what, and when", [
          "filebatch audit --admin-url http://127.0.0.1:9090 --batch vsfb_abc123",
          "filebatch audit --key team-a --since 2026-11-29T00:00:00Z --json"
        ])
      )
    )
