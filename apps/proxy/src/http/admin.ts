/**
 * The admin port (`FILEBATCH_PROXY_ADMIN_PORT`): `/metrics`, `/healthz` and `/readyz` on
 * a port of their own, so that metrics need not face clients.
 */
import { Effect } from "effect"
import { createServer } from "node:http"
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
  redis: RedisState | undefined
) =>
  Effect.gen(function*() {
    const admin = createServer((request, response) => {
      const path = (request.url ?? "/").split("?")[0]
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
      } else send(404, JSON.stringify({ error: "not found: /metrics, /healthz or /readyz" }))
    })
    // Released after the drain (acquired before it is registered), so the drain can be watched here.
    yield* Effect.acquireRelease(
      listen(admin, port, host),
      () => Effect.sync(() => (admin.close(), admin.closeAllConnections()))
    )
    const bound = (admin.address() as { port: number }).port
    yield* Effect.logInfo("admin listening").pipe(
      Effect.annotateLogs({ url: `http://${host}:${bound}`, port: bound, routes: "/metrics /healthz /readyz" })
    )
  })
