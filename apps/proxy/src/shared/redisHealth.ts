/**
 * Whether Redis works, as the replica sees it: up until a connection closes or a command
 * fails, down until every connection is ready again (or a ping is answered).
 *
 * Each return begins a new period. A command that started in an earlier one — queued while
 * Redis was down, and timing out just as the connection came back — says nothing about Redis
 * now: only failures of commands started since the return count as a new outage.
 */
export interface RedisHealth {
  readonly up: () => boolean
  /** Commands that failed (timed out, refused, disconnected), whenever they started. */
  readonly errors: () => number
  /** Times Redis went from reachable to unreachable. */
  readonly outages: () => number
  /** The period a command starts in, to hand back to {@link failed}. */
  readonly period: () => number
  readonly failed: (startedIn: number, reason: string) => void
  /** A connection closed. */
  readonly lost: (reason: string) => void
  /** Every connection is ready, or Redis answered. */
  readonly back: () => void
}

export const makeRedisHealth = (on: {
  readonly down: (reason: string) => void
  readonly up: (outageMillis: number) => void
}): RedisHealth => {
  let up = true
  let errors = 0
  let outages = 0
  let downSince = 0
  let period = 0
  const lost = (reason: string) => {
    if (!up) return
    up = false
    outages += 1
    downSince = Date.now()
    on.down(reason)
  }
  return {
    up: () => up,
    errors: () => errors,
    outages: () => outages,
    period: () => period,
    failed: (startedIn, reason) => {
      errors += 1
      if (startedIn === period) lost(reason)
    },
    lost,
    back: () => {
      if (up) return
      up = true
      period += 1
      on.up(Date.now() - downSince)
    }
  }
}
