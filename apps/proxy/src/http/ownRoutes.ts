/**
 * The handlers of the proxy's own routes, one per route of core's `ProxyContract.routes`
 * (a route without its handler does not compile). Each gets the request and its query,
 * already decoded with the route's schema.
 */
import type { Operation, ProxyContract } from "@filebatch/core"
import { Effect, type Schema } from "effect"
import * as Answers from "../answers.js"
import { AuditTrail, none } from "../audit/AuditTrail.js"
import { Metrics } from "../ops/Metrics.js"
import { ServerState } from "../ops/ServerState.js"
import { SharedState } from "../shared/SharedState.js"
import { DocsAssets, docsRoutes } from "./docs.js"
import { type Handled, handled, type Incoming, routeFacts } from "./handled.js"
import { openApiDocument } from "./ProxyApi.js"
import { readiness } from "./readiness.js"

type Routes = typeof ProxyContract.routes

/** A route's decoded query; `undefined` for a route that takes none. */
export type QueryOf<K extends ProxyContract.RouteName> = Routes[K] extends { readonly query: infer S }
  ? S extends Schema.Schema<infer Q, Operation.QueryText> ? Q : never
  : undefined

export type OwnHandlers = {
  readonly [K in ProxyContract.RouteName]: (incoming: Incoming, query: QueryOf<K>) => Effect.Effect<Handled>
}

const json = (status: number, body: unknown): Answers.Answer => ({ status, body: JSON.stringify(body), headers: {} })

export const makeOwnHandlers = Effect.gen(function*() {
  const state = yield* ServerState
  const { redis } = yield* SharedState
  const metrics = yield* Metrics
  const trail = yield* AuditTrail
  const docs = docsRoutes(yield* DocsAssets)
  // Built on the first request for it: most proxies are never asked, and it is work at start-up.
  let openApiJson: string | undefined
  const healthy = Effect.succeed(handled(json(200, { status: "ok" }), routeFacts.healthz))

  const handlers: OwnHandlers = {
    healthz: () => healthy,
    readyz: () => Effect.sync(() => handled(readiness(state.draining(), redis), routeFacts.readyz)),
    metrics: () =>
      Effect.tryPromise(() => metrics.scrape()).pipe(
        Effect.match({
          onSuccess: (text) => ({ status: 200, body: text, headers: {}, contentType: metrics.registry.contentType }),
          onFailure: (error) => Answers.unavailable("Metrics", error.message)
        }),
        Effect.map((answer) => handled(answer, routeFacts.metrics))
      ),
    openapi: () =>
      Effect.sync(() =>
        handled(
          { status: 200, body: (openApiJson ??= JSON.stringify(openApiDocument())), headers: {} },
          routeFacts.openapi
        )
      ),
    docs: ({ path }) => Effect.sync(() => handled(docs.get(path)!(), routeFacts.docs)),
    docsFile: ({ path, request }) =>
      Effect.sync(() => {
        const file = docs.get(path)
        return file === undefined
          ? handled(Answers.invalidUrl(request.method, path), routeFacts.docsFile)
          : handled(file(), routeFacts.docsFile)
      }),
    audit: (_, query) =>
      trail === none
        ? Effect.succeed(handled(Answers.auditOff(), routeFacts.audit))
        : trail.read(query).pipe(
          Effect.match({
            onSuccess: (lines): Answers.Answer & { contentType: string } => ({
              status: 200,
              body: lines.map((line) => `${line}\n`).join(""),
              headers: {},
              contentType: "application/x-ndjson"
            }),
            onFailure: (error) => Answers.unavailable("The audit trail", error.message)
          }),
          Effect.map((answer) => handled(answer, routeFacts.audit))
        )
  }
  return handlers
})
