/**
 * Prometheus metrics (prom-client), served on `/metrics`.
 */
import { Context, Effect, Layer } from "effect"
import { Counter, Gauge, Histogram, Registry } from "prom-client"
import { type RedisState, SharedState } from "../shared/SharedState.js"
import { makeScrape } from "./cluster.js"
import { ServerState } from "./ServerState.js"

/** How long the oldest record in the audit spool has waited, in whole seconds; undefined when none waits. */
export const spoolAgeSeconds = (redis: RedisState): number | undefined => {
  const oldest = redis.auditSpool.oldestMillis()
  return oldest === undefined ? undefined : Math.max(0, Math.floor((Date.now() - oldest) / 1000))
}

// Values kept elsewhere, read when scraped rather than moved on every change.
const readingGauge = (
  registry: Registry,
  name: string,
  help: string,
  read: () => number,
  aggregator?: "min" | "max"
) =>
  new Gauge({
    name: `filebatch_proxy_${name}`,
    help,
    registers: [registry],
    ...(aggregator !== undefined ? { aggregator } : {}),
    collect() {
      this.set(read())
    }
  })

const readingCounter = (registry: Registry, name: string, help: string, read: () => number) =>
  new Counter({
    name: `filebatch_proxy_${name}`,
    help,
    registers: [registry],
    collect() {
      this.reset()
      this.inc(read())
    }
  })

/** Redis's state, shared by the replicas: up, errors and outages, waiters, the audit spool. */
const watchRedis = (registry: Registry, redis: RedisState) => {
  // Over a group of workers: up only if up for every one.
  readingGauge(
    registry,
    "redis_up",
    "1 while Redis (shared by the replicas) answers, else 0",
    () => redis.up() ? 1 : 0,
    "min"
  )
  readingGauge(
    registry,
    "waiting_on_other_replica",
    "Cancels waiting for the answer of an identical cancel another replica is making",
    redis.waitingOnOthers
  )
  readingCounter(
    registry,
    "redis_errors_total",
    "Redis commands that failed (timed out, refused, disconnected); the rate limit then fails open or closed",
    redis.errors
  )
  readingCounter(registry, "redis_outages_total", "Times Redis went from reachable to unreachable", redis.outages)
  readingGauge(
    registry,
    "audit_spool_records",
    "Audit records waiting in the spool (Redis unreachable) to be added to the stream",
    redis.auditSpool.records
  )
  readingGauge(
    registry,
    "audit_spool_oldest_age_seconds",
    "Age of the oldest record waiting in the audit spool (0: none waits)",
    () => spoolAgeSeconds(redis) ?? 0,
    "max"
  )
}

/**
 * Counts an answered request and its latency. Label children are looked up once per label
 * set: prom-client hashes the labels on every call otherwise.
 */
const answeredCounter = (requests: Counter<"route" | "status">, latency: Histogram<"route">) => {
  const childOf = <C>(children: Map<string, C>, key: string, make: () => C): C => {
    let child = children.get(key)
    if (child === undefined) {
      child = make()
      children.set(key, child)
    }
    return child
  }
  const requestChildren = new Map<string, { inc: () => void }>()
  const latencyChildren = new Map<string, { observe: (value: number) => void }>()
  return (route: string, status: number, seconds: number) => {
    childOf(requestChildren, `${route} ${status}`, () => requests.labels(route, String(status))).inc()
    childOf(latencyChildren, route, () => latency.labels(route)).observe(seconds)
  }
}

/** `inFlightRequests` is read when scraped, rather than a gauge moved on every request. */
export const makeMetrics = (inFlightRequests: () => number, redis?: RedisState) => {
  const registry = new Registry()
  const counter = <L extends string = never>(name: string, help: string, labelNames: ReadonlyArray<L> = []) =>
    new Counter<L>({ name: `filebatch_proxy_${name}`, help, labelNames, registers: [registry] })
  const requests = counter("requests_total", "Requests answered, by route and status", ["route", "status"])
  const latency = new Histogram({
    name: "filebatch_proxy_request_duration_seconds",
    help: "Time to answer a request, by route",
    labelNames: ["route"] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry]
  })
  const upstreamCalls = counter(
    "upstream_calls_total",
    "Upstream calls made (one per leader request, retries counted apart)",
    ["operation", "outcome"]
  )
  const upstreamAttempts = counter("upstream_attempts_total", "Upstream HTTP attempts, retries included")
  const upstreamRetries = counter("upstream_retries_total", "Upstream HTTP attempts that were retries")
  const coalesced = counter("coalesced_total", "Requests answered by sharing another request's upstream call")
  const rateLimited = counter("rate_limited_total", "Requests refused by the per-key rate limit", ["key"])
  const shed = counter("shed_total", "Requests refused because the upstream queue was full")
  const auditWritten = counter("audit_records_total", "Audit records written before their answers")
  const auditFailures = counter(
    "audit_failures_total",
    "Audit records that could not be written (each is logged whole at error level instead)"
  )
  const gaugeReading = (name: string, help: string, read: () => number, aggregator?: "min" | "max") =>
    readingGauge(registry, name, help, read, aggregator)
  gaugeReading("in_flight_requests", "Requests being handled", inFlightRequests)
  if (redis !== undefined) watchRedis(registry, redis)
  const answered = answeredCounter(requests, latency)
  return {
    registry,
    /** A gauge of a value kept elsewhere, read when scraped (the upstream calls in flight, kept by the gate). */
    gaugeReading,
    /** The text of a scrape: this process's metrics, or with workers the whole group's (see internal/cluster.ts). */
    scrape: makeScrape(registry),
    requests,
    latency,
    upstreamCalls,
    upstreamAttempts,
    upstreamRetries,
    coalesced,
    rateLimited,
    shed,
    auditWritten,
    auditFailures,
    answered
  }
}

export type MetricsService = ReturnType<typeof makeMetrics>

export class Metrics extends Context.Tag("@filebatch/proxy/Metrics")<Metrics, MetricsService>() {}

/** The metrics of this process, reading the requests and upstream calls in flight and Redis's state when scraped. */
export const layer: Layer.Layer<Metrics, never, ServerState | SharedState> = Layer.effect(
  Metrics,
  Effect.gen(function*() {
    const state = yield* ServerState
    const shared = yield* SharedState
    return makeMetrics(state.inFlight, shared.redis)
  })
)
