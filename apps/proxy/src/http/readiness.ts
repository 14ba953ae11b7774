import { Schema } from "effect"
import type { Answer } from "../answers.js"
import { spoolAgeSeconds } from "../ops/Metrics.js"
import type { RedisState } from "../shared/SharedState.js"

/** The audit records waiting in the replica's spool for Redis, and the oldest one's age. */
export const AuditSpool = Schema.Struct({
  records: Schema.Number,
  oldest_age_seconds: Schema.optional(Schema.Number)
}).annotations({ description: "Audit records waiting in this replica's spool while Redis is unreachable" })

/**
 * `/readyz`'s 200: ready, with Redis's state when replicas share it.
 */
export const Ready = Schema.Struct({
  status: Schema.Literal("ready"),
  redis: Schema.optional(Schema.Literal("up", "down")),
  audit_spool: Schema.optional(AuditSpool)
}).annotations({ description: "Ready; `redis` when replicas share Redis (down: the rate limit fails open)" })

/** `/readyz`'s 503 while the proxy drains for a stop. */
export const Draining = Schema.Struct({ status: Schema.Literal("draining") }).annotations({
  description: "Draining for a stop"
})

/** `/readyz`'s 503 while Redis is down and the rate limit fails closed. */
export const Unready = Schema.Struct({
  status: Schema.Literal("unready"),
  redis: Schema.Literal("down"),
  audit_spool: AuditSpool
}).annotations({
  description: "Redis down while the rate limit fails closed"
})

const answer = (status: number, body: typeof Ready.Type | typeof Draining.Type | typeof Unready.Type): Answer => ({
  status,
  body: JSON.stringify(body),
  headers: {}
})

/**
 * Ready unless draining, with Redis's state when replicas share it. Redis down makes the proxy unready
 * only when its rate limit fails closed (it would refuse the requests); failing open,
 * it serves them, each replica coalescing on its own.
 */
export const readiness = (state: { readonly draining: boolean }, redis: RedisState | undefined): Answer => {
  if (state.draining) return answer(503, { status: "draining" })
  if (redis === undefined) return answer(200, { status: "ready" })
  const age = spoolAgeSeconds(redis)
  const audit_spool = { records: redis.auditSpool.records(), ...(age === undefined ? {} : { oldest_age_seconds: age }) }
  if (redis.up()) return answer(200, { status: "ready", redis: "up", audit_spool })
  return redis.failure === "open"
    ? answer(200, { status: "ready", redis: "down", audit_spool })
    : answer(503, { status: "unready", redis: "down", audit_spool })
}
