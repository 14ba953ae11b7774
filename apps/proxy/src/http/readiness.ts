import { Schema } from "effect"
import type { Answer } from "../answers.js"
import type { RedisState } from "../shared/SharedState.js"

/**
 * `/readyz`'s 200: ready, with Redis's state when replicas share it.
 */
export const Ready = Schema.Struct({
  status: Schema.Literal("ready"),
  redis: Schema.optional(Schema.Literal("up", "down"))
}).annotations({ description: "Ready; `redis` when replicas share Redis (down: the rate limit fails open)" })

/** `/readyz`'s 503 while the proxy drains for a stop. */
export const Draining = Schema.Struct({ status: Schema.Literal("draining") }).annotations({
  description: "Draining for a stop"
})

/** `/readyz`'s 503 while Redis is down and the rate limit fails closed. */
export const Unready = Schema.Struct({ status: Schema.Literal("unready"), redis: Schema.Literal("down") }).annotations({
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
  if (redis.up()) return answer(200, { status: "ready", redis: "up" })
  return redis.failure === "open"
    ? answer(200, { status: "ready", redis: "down" })
    : answer(503, { status: "unready", redis: "down" })
}
