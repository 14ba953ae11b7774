/**
 * The filebatch proxy's own HTTP routes, stated once: health, readiness, metrics, the
 * OpenAPI document and docs page, and the admin port's audit trail — each with the port it
 * is served on, its query and its answers' schemas. The proxy routes, documents and
 * answers by this table; `filebatch audit` builds its request and reads the answer from it.
 * (The API's operations are `FileBatchApi.operations`.)
 *
 * @since 0.3.0
 */
import { type Either, ParseResult, Schema } from "effect"
import { AuditRecord } from "./AuditRecord.js"
import { ErrorResponse } from "./ErrorResponse.js"
import type { QueryText } from "./Operation.js"

/**
 * Where a route is served: on the public port, the admin port (`FILEBATCH_PROXY_ADMIN_PORT`),
 * both, or on the admin port when there is one and else on the public port (`adminWhenSet`).
 *
 * @since 0.3.0
 * @category models
 */
export type Ports = "public" | "admin" | "both" | "adminWhenSet"

/**
 * One answer a route may give: its status, body schema and content type.
 *
 * @since 0.3.0
 * @category models
 */
export interface RouteAnswer {
  readonly status: number
  readonly schema: Schema.Schema.Any
  readonly contentType: string
  readonly description: string
}

/**
 * A route of the proxy's own: a GET (HEAD too) at `path`, whose `{name}` segments are
 * parameters.
 *
 * @since 0.3.0
 * @category models
 */
export interface Route<Q = never> {
  readonly path: string
  readonly ports: Ports
  readonly summary: string
  /** The query, decoded from its text; unknown parameters are refused. */
  readonly query?: Schema.Schema<Q, QueryText>
  readonly answers: ReadonlyArray<RouteAnswer>
  /** Whether `/openapi.json` describes it (the document and the page describing themselves is noise). */
  readonly documented: boolean
}

const json = (status: number, schema: Schema.Schema.Any, description: string): RouteAnswer => ({
  status,
  schema,
  contentType: "application/json",
  description
})

const errorAnswer = (status: number, description: string) => json(status, ErrorResponse, description)

/**
 * The audit records waiting in a replica's spool for Redis, and the oldest one's age.
 *
 * @since 0.3.0
 * @category schemas
 */
export const AuditSpool = Schema.Struct({
  records: Schema.Number,
  oldest_age_seconds: Schema.optional(Schema.Number)
}).annotations({ description: "Audit records waiting in this replica's spool while Redis is unreachable" })

/**
 * `/readyz`'s 200: ready, with Redis's state when replicas share it.
 *
 * @since 0.3.0
 * @category schemas
 */
export const Ready = Schema.Struct({
  status: Schema.Literal("ready"),
  redis: Schema.optional(Schema.Literal("up", "down")),
  audit_spool: Schema.optional(AuditSpool)
}).annotations({ description: "Ready; `redis` when replicas share Redis (down: the rate limit fails open)" })

/**
 * `/readyz`'s 503 while the proxy drains for a stop.
 *
 * @since 0.3.0
 * @category schemas
 */
export const Draining = Schema.Struct({ status: Schema.Literal("draining") }).annotations({
  description: "Draining for a stop"
})

/**
 * `/readyz`'s 503 while Redis is down and the rate limit fails closed.
 *
 * @since 0.3.0
 * @category schemas
 */
export const Unready = Schema.Struct({
  status: Schema.Literal("unready"),
  redis: Schema.Literal("down"),
  audit_spool: AuditSpool
}).annotations({ description: "Redis down while the rate limit fails closed" })

/**
 * The most records one `/audit` answer holds.
 *
 * @since 0.3.0
 * @category constants
 */
export const maxAuditLimit = 10_000

/** `since`: an ISO 8601 time, or milliseconds since the epoch; as milliseconds. */
const Since = Schema.transformOrFail(Schema.String, Schema.Number, {
  strict: true,
  decode: (text, _, ast) => {
    const millis = /^\d+$/.test(text) ? Number(text) : Date.parse(text)
    return Number.isNaN(millis)
      ? ParseResult.fail(
        new ParseResult.Type(ast, text, "must be an ISO 8601 time or milliseconds since the epoch")
      )
      : ParseResult.succeed(millis)
  },
  encode: (millis) => ParseResult.succeed(new Date(millis).toISOString())
})

const Limit = Schema.NumberFromString.pipe(
  Schema.int(),
  Schema.between(1, maxAuditLimit),
  Schema.annotations({
    message: () => ({ message: `must be a whole number from 1 to ${maxAuditLimit}`, override: true })
  })
)

/**
 * `GET /audit`'s query: which records (all filters optional), the newest `limit` of them.
 *
 * @since 0.3.0
 * @category schemas
 */
export const AuditQuery = Schema.Struct({
  vector_store_id: Schema.optional(Schema.String),
  batch_id: Schema.optional(Schema.String),
  /** A client key's name. */
  key: Schema.optional(Schema.String),
  since: Schema.optional(Since),
  limit: Schema.optionalWith(Limit, { default: () => 100 })
})

/**
 * @since 0.3.0
 * @category models
 */
export type AuditQuery = typeof AuditQuery.Type

/**
 * Every route of the proxy's own, by name.
 *
 * @since 0.3.0
 * @category routes
 */
export const routes = {
  healthz: {
    path: "/healthz",
    ports: "both",
    summary: "Liveness",
    answers: [json(200, Schema.Struct({ status: Schema.Literal("ok") }), "Alive")],
    documented: true
  },
  readyz: {
    path: "/readyz",
    ports: "both",
    summary: "Readiness",
    answers: [
      json(200, Ready, "Ready"),
      json(503, Draining, "Draining for a stop"),
      json(503, Unready, "Redis down while the rate limit fails closed")
    ],
    documented: true
  },
  metrics: {
    path: "/metrics",
    ports: "adminWhenSet",
    summary: "Prometheus metrics",
    answers: [
      { status: 200, schema: Schema.String, contentType: "text/plain; version=0.0.4", description: "Metrics" },
      errorAnswer(404, "With FILEBATCH_PROXY_ADMIN_PORT set, metrics are served on the admin port only")
    ],
    documented: true
  },
  openapi: {
    path: "/openapi.json",
    ports: "public",
    summary: "This document",
    answers: [json(200, Schema.Unknown, "The OpenAPI document")],
    documented: false
  },
  docs: {
    path: "/docs",
    ports: "public",
    summary: "The API's docs page",
    answers: [{ status: 200, schema: Schema.String, contentType: "text/html; charset=utf-8", description: "Page" }],
    documented: false
  },
  docsFile: {
    path: "/docs/{file}",
    ports: "public",
    summary: "A file of the docs page",
    answers: [{ status: 200, schema: Schema.String, contentType: "text/javascript", description: "A file" }],
    documented: false
  },
  audit: {
    path: "/audit",
    ports: "admin",
    summary: "The audit trail: who cancelled or created what (admin port only), oldest first",
    query: AuditQuery,
    answers: [
      {
        status: 200,
        schema: AuditRecord,
        contentType: "application/x-ndjson",
        description: "Matching records, one JSON object a line"
      },
      errorAnswer(400, "A query parameter is wrong"),
      errorAnswer(404, "No audit trail is kept"),
      errorAnswer(503, "The trail cannot be read right now")
    ],
    documented: true
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each route's own query type
} as const satisfies Record<string, Route<any>>

/**
 * The name of a route of the proxy's own.
 *
 * @since 0.3.0
 * @category routes
 */
export type RouteName = keyof typeof routes

/**
 * Whether the route is served on the port (`admin`: the admin port; `public`: the public
 * port, knowing whether an admin port is set).
 *
 * @since 0.3.0
 * @category routes
 */
export const servedOn = (route: Pick<Route, "ports">, port: "public" | "admin", adminPortSet: boolean): boolean => {
  switch (route.ports) {
    case "both":
      return true
    case "adminWhenSet":
      return port === "admin" || !adminPortSet
    default:
      return route.ports === port
  }
}

/**
 * The query text of `/audit` for a query (the CLI's request).
 *
 * @since 0.3.0
 * @category audit
 */
export const encodeAuditQuery = (query: AuditQuery): Either.Either<QueryText, ParseResult.ParseError> =>
  Schema.encodeEither(AuditQuery)(query)

/**
 * Decodes one line of an `/audit` answer.
 *
 * @since 0.3.0
 * @category audit
 */
export const decodeAuditLine = Schema.decodeEither(Schema.parseJson(AuditRecord))
