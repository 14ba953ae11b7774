/**
 * The admin port (`FILEBATCH_PROXY_ADMIN_PORT`): `/metrics`, `/healthz`, `/readyz` and the
 * audit trail (`/audit`, never on the public port) on a port of their own, so that neither
 * metrics nor records face clients.
 */
import { Effect, Either, Runtime } from "effect"
import { createServer } from "node:http"
import { type AuditTrailService, none } from "../audit/AuditTrail.js"
import { parseQuery } from "../audit/query.js"
import type { Metrics } from "../ops/Metrics.js"
import type { RedisState } from "../shared/SharedState.js"
import type { ProxyState } from "./app.js"
import { listen } from "./listen.js"
import { readiness } from "./readiness.js"

export const serveAdmin = (
  host: string,
  port: number,
  metrics: Metrics,
  state: ProxyState,
  redis: RedisState | undefined,
  audit: AuditTrailService
) =>
  Effect.gen(function*() {
    const runPromise = Runtime.runPromise(yield* Effect.runtime<never>())
    const admin = createServer((request, response) => {
      const [path, search = ""] = (request.url ?? "/").split("?")
      const send = (status: number, body: string, contentType = "application/json") => {
        response.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(body) })
        response.end(body)
      }
      if (request.method !== "GET") return send(405, JSON.stringify({ error: "GET only" }))
      if (path === "/metrics") {
        metrics.scrape().then(
          (text) => send(200, text, metrics.registry.contentType),
          (error: Error) => send(503, JSON.stringify({ error: error.message }))
        )
      } else if (path === "/healthz") send(200, JSON.stringify({ status: "ok" }))
      else if (path === "/readyz") {
        const answer = readiness(state, redis)
        send(answer.status, answer.body)
      } else if (path === "/audit") {
        if (audit === none) {
          return send(
            404,
            JSON.stringify({
              error: "no audit trail is kept: set FILEBATCH_PROXY_AUDIT_FILE, or FILEBATCH_PROXY_REDIS_URL for a stream"
            })
          )
        }
        const query = parseQuery(search)
        if (Either.isLeft(query)) return send(400, JSON.stringify({ error: query.left }))
        runPromise(Effect.either(audit.read(query.right))).then((read) =>
          Either.isRight(read)
            ? send(200, read.right.map((line) => `${line}\n`).join(""), "application/x-ndjson")
            : send(503, JSON.stringify({ error: read.left.message }))
        )
      } else send(404, JSON.stringify({ error: "not found: /metrics, /healthz, /readyz or /audit" }))
    })
    // Released after the drain (acquired before it is registered), so the drain can be watched here.
    yield* Effect.acquireRelease(
      listen(admin, port, host),
      () => Effect.sync(() => (admin.close(), admin.closeAllConnections()))
    )
    const bound = (admin.address() as { port: number }).port
    yield* Effect.logInfo("admin listening").pipe(
      Effect.annotateLogs({ url: `http://${host}:${bound}`, port: bound, routes: "/metrics /healthz /readyz /audit" })
    )
  })
