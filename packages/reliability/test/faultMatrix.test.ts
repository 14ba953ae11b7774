/**
 * For each fault the emulator can inject, the outcome for core (the typed result), the
 * CLI (its exit status) and the proxy (its HTTP status and OpenAI-shaped body), asserted,
 * and kept in docs/reliability.md (regenerate with UPDATE_DOCS=1).
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import type { Fault } from "@filebatch/emulator"
import { type OtlpReceiver, startOtlpReceiver } from "@filebatch/testkit"
import { Either } from "effect"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import {
  arm,
  clientKey,
  coreCancel,
  hangTimeoutMs,
  proxyCancel,
  retries,
  runCli,
  seed,
  startEmulator,
  startProxy,
  timeoutMs,
  upstreamKey
} from "./harness.js"

interface Row {
  readonly fault: string
  readonly rule: Omit<Fault.FaultRule, "batchId" | "operation">
  readonly core: string
  readonly cli: number
  readonly proxy: number
}

const always = "always" as const
const status = (code: number, extra: Partial<Fault.Fault & { kind: "status" }> = {}) => ({
  times: always,
  fault: { kind: "status" as const, status: code, ...extra }
})

export const rows: ReadonlyArray<Row> = [
  {
    fault: "429 with `retry-after: 1`, once",
    rule: { fault: { kind: "status", status: 429, retryAfter: 1 } },
    core: "ok (2 attempts)",
    cli: 0,
    proxy: 200
  },
  {
    fault: "429 with `retry-after-ms: 50`, every time",
    rule: status(429, { retryAfterMs: 50 }),
    core: "RateLimitError",
    cli: 5,
    proxy: 429
  },
  { fault: "500", rule: status(500), core: "ServerError", cli: 6, proxy: 500 },
  { fault: "502", rule: status(502), core: "ServerError", cli: 6, proxy: 502 },
  { fault: "503", rule: status(503), core: "ServerError", cli: 6, proxy: 503 },
  { fault: "504", rule: status(504), core: "ServerError", cli: 6, proxy: 504 },
  {
    fault: "503 with `x-should-retry: false`",
    rule: status(503, { shouldRetry: false }),
    core: "ServerError (1 attempt)",
    cli: 6,
    proxy: 503
  },
  { fault: "500, once", rule: { fault: { kind: "status", status: 500 } }, core: "ok (2 attempts)", cli: 0, proxy: 200 },
  {
    fault: "connection reset",
    rule: { times: always, fault: { kind: "reset" } },
    core: "ConnectionError",
    cli: 6,
    proxy: 502
  },
  {
    fault: "hang past the timeout",
    rule: { times: always, fault: { kind: "hang" } },
    core: "TimeoutError",
    cli: 6,
    proxy: 504
  },
  {
    fault: "truncated body",
    rule: { times: always, fault: { kind: "truncate" } },
    core: "ConnectionError",
    cli: 6,
    proxy: 502
  },
  {
    fault: "non-JSON body",
    rule: { times: always, fault: { kind: "non-json" } },
    core: "UnexpectedResponseError",
    cli: 6,
    proxy: 502
  },
  {
    fault: "wrong content type (`text/plain`)",
    rule: { times: always, fault: { kind: "content-type", contentType: "text/plain" } },
    core: "ok",
    cli: 0,
    proxy: 200
  },
  {
    fault: "schema drift: unknown status `cancelling`",
    rule: { times: always, fault: { kind: "drift", drift: "unknown-status" } },
    core: "ok",
    cli: 0,
    proxy: 200
  },
  {
    fault: "schema drift: extra fields",
    rule: { times: always, fault: { kind: "drift", drift: "extra-fields" } },
    core: "ok",
    cli: 0,
    proxy: 200
  },
  {
    fault: "schema drift: `object` spelled `vector_store.file_batch`",
    rule: { times: always, fault: { kind: "drift", drift: "object-spelling" } },
    core: "ok",
    cli: 0,
    proxy: 200
  },
  { fault: "401", rule: status(401), core: "AuthenticationError", cli: 3, proxy: 401 },
  { fault: "403", rule: status(403), core: "PermissionDeniedError", cli: 3, proxy: 403 },
  { fault: "404", rule: status(404), core: "NotFoundError", cli: 4, proxy: 404 },
  { fault: "400", rule: status(400), core: "InvalidRequestError", cli: 2, proxy: 400 },
  { fault: "409", rule: status(409), core: "ConflictError", cli: 6, proxy: 409 },
  { fault: "422", rule: status(422), core: "InvalidRequestError", cli: 2, proxy: 422 }
]

const docsPath = fileURLToPath(new URL("../../../docs/reliability.md", import.meta.url))
const start = "<!-- fault-matrix:start -->"
const end = "<!-- fault-matrix:end -->"

export const matrixMarkdown = () =>
  [
    `Settings of all three: ${retries} retry, ${timeoutMs} ms per attempt (${hangTimeoutMs} ms for the hang, so ` +
    "that only an injected hang ever times out). Faults hit the cancel of one batch.",
    "",
    "| fault | core | CLI exit | proxy status |",
    "| --- | --- | --- | --- |",
    ...rows.map((row) => `| ${row.fault} | ${row.core} | ${row.cli} | ${row.proxy} |`)
  ].join("\n")

let upstream: Awaited<ReturnType<typeof startEmulator>>
let proxy: Awaited<ReturnType<typeof startProxy>>
let hangProxy: Awaited<ReturnType<typeof startProxy>>

// Every fault's spans and audit records are checked for secrets too.
let receiver: OtlpReceiver
const trails = mkdtempSync(join(tmpdir(), "filebatch-matrix-audit-"))
const tracing = () => ({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: "50" })

beforeAll(async () => {
  receiver = await startOtlpReceiver()
  upstream = await startEmulator()
  proxy = await startProxy(upstream.emulator.url, { ...tracing(), FILEBATCH_PROXY_AUDIT_FILE: join(trails, "a.jsonl") })
  hangProxy = await startProxy(upstream.emulator.url, {
    FILEBATCH_TIMEOUT: `${hangTimeoutMs} millis`,
    FILEBATCH_PROXY_AUDIT_FILE: join(trails, "b.jsonl"),
    ...tracing()
  })
})

afterAll(async () => {
  for (const running of [proxy, hangProxy]) {
    await running?.stop()
    expect(running.output()).not.toContain(upstreamKey)
  }
  await upstream?.close()
  // The proxies flushed their spans as they stopped; the CLI as each run ended.
  const exported = receiver.bodies.map((body) => body.toString("latin1")).join("\n")
  const audited = ["a.jsonl", "b.jsonl"].map((name) => readFileSync(join(trails, name), "utf8")).join("")
  expect(receiver.spans.length).toBeGreaterThan(rows.length)
  expect(audited.trim().split("\n")).toHaveLength(rows.length)
  for (const secret of [upstreamKey, clientKey]) {
    expect(exported).not.toContain(secret)
    expect(audited).not.toContain(secret)
  }
  await receiver?.close()
})

const hangs = (row: Row) => row.rule.fault.kind === "hang"

const observe = async (row: Row) => {
  const { batchId, vectorStoreId } = await seed(upstream.emulator)
  const ref = { vectorStoreId, batchId }
  const rule = { ...row.rule, operation: "cancel" as const, batchId }

  await arm(upstream.emulator, [rule])
  const timeout = hangs(row) ? hangTimeoutMs : timeoutMs
  const core = await coreCancel(upstream.emulator, ref, timeout)
  const coreOutcome = Either.match(core, {
    onLeft: (error) => error._tag,
    onRight: (response) => response.value.id === batchId ? "ok" : "wrong batch"
  })
  const coreAttempts = Either.isRight(core) ? core.right.attempts : undefined

  await arm(upstream.emulator, [rule])
  const cli = await runCli(
    ["cancel", vectorStoreId, batchId, "--json", "--max-retries", String(retries), "--timeout", `${timeout}ms`],
    { OPENAI_API_KEY: upstreamKey, OPENAI_BASE_URL: upstream.emulator.url, ...tracing() }
  )

  await arm(upstream.emulator, [rule])
  const viaProxy = await proxyCancel((hangs(row) ? hangProxy : proxy).url, ref)
  return { coreOutcome, coreAttempts, cli, viaProxy, batchId }
}

describe("fault matrix: core, CLI and proxy", () => {
  it("every fault ends as documented in all three", async () => {
    const observed: Array<Awaited<ReturnType<typeof observe>>> = []
    // Each row has its own batch, so rows run a few at a time.
    for (let i = 0; i < rows.length; i += 4) {
      observed.push(...await Promise.all(rows.slice(i, i + 4).map(observe)))
    }
    rows.forEach((row, i) => {
      const { batchId, cli, coreAttempts, coreOutcome, viaProxy } = observed[i]
      const expectedCore = row.core.replace(/ \(.*\)$/, "")
      expect(coreOutcome, `${row.fault}: core`).toBe(expectedCore)
      const attempts = row.core.match(/\((\d) attempts?\)/)?.[1]
      if (attempts !== undefined && coreAttempts !== undefined) expect(coreAttempts, row.fault).toBe(Number(attempts))
      expect(cli.code, `${row.fault}: CLI (${cli.stderr})`).toBe(row.cli)
      expect(viaProxy.status, `${row.fault}: proxy (${viaProxy.text})`).toBe(row.proxy)
      const body = JSON.parse(viaProxy.text)
      if (row.proxy === 200) {
        expect(body.id).toBe(batchId)
        expect(JSON.parse(cli.stdout).id).toBe(batchId)
      } else {
        expect(Object.keys(body.error).sort(), row.fault).toEqual(["code", "message", "param", "type"])
        expect(cli.stderr).toMatch(/^filebatch: .+\n$/)
      }
      for (const text of [cli.stdout, cli.stderr, viaProxy.text]) expect(text).not.toContain(upstreamKey)
    })
    // "once" faults were retried: core made two attempts.
    expect(observed[0].coreAttempts).toBe(2)
  })

  it("docs/reliability.md shows this matrix", () => {
    const table = matrixMarkdown()
    const docs = readFileSync(docsPath, "utf8")
    if (process.env["UPDATE_DOCS"] === "1") {
      const updated = docs.replace(new RegExp(`${start}[\\s\\S]*${end}`), `${start}\n${table}\n${end}`)
      writeFileSync(docsPath, updated)
      return
    }
    expect(docs).toContain(`${start}\n${table}\n${end}`)
  })
})
