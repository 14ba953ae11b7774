/** `/readyz`: ready, draining, or unready while Redis is down and the rate limit fails closed. */
import { type ProxyContract } from "@filebatch/core"
import type { Answer } from "../answers.js"
import { spoolAgeSeconds } from "../ops/Metrics.js"
import type { RedisState } from "../shared/SharedState.js"

type Readiness =
  | typeof ProxyContract.Ready.Type
  | typeof ProxyContract.Draining.Type
  | typeof ProxyContract.Unready.Type

const answer = (status: number, body: Readiness): Answer => ({
  status,
  body: JSON.stringify(body),
  headers: {}
})

/**
 * Ready unless draining, with Redis's state when replicas share it. Redis down makes the proxy unready
 * only when its rate limit fails closed (it would refuse the requests); failing open,
 * it serves them, each replica coalescing on its own.
 */
export const readiness = (draining: boolean, redis: RedisState | undefined): Answer => {
  if (draining) return answer(503, { status: "draining" })
  if (redis === undefined) return answer(200, { status: "ready" })
  const age = spoolAgeSeconds(redis)
  const audit_spool = { records: redis.auditSpool.records(), ...(age === undefined ? {} : { oldest_age_seconds: age }) }
  if (redis.up()) return answer(200, { status: "ready", redis: "up", audit_spool })
  return redis.failure === "open"
    ? answer(200, { status: "ready", redis: "down", audit_spool })
    : answer(503, { status: "unready", redis: "down", audit_spool })
}
