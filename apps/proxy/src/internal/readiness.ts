import type { RedisState } from "../SharedState.js"
import type { Answer } from "./answers.js"

/**
 * Ready unless draining, with Redis's state when replicas share it. Redis down makes the proxy unready
 * only when its rate limit fails closed (it would refuse the requests); failing open,
 * it serves them, each replica coalescing on its own.
 */
export const readiness = (state: { readonly draining: boolean }, redis: RedisState | undefined): Answer => {
  if (state.draining) return { status: 503, body: JSON.stringify({ status: "draining" }), headers: {} }
  const body = redis === undefined
    ? { status: "ready" }
    : { status: redis.up() || redis.failure === "open" ? "ready" : "unready", redis: redis.up() ? "up" : "down" }
  return { status: body.status === "ready" ? 200 : 503, body: JSON.stringify(body), headers: {} }
}
