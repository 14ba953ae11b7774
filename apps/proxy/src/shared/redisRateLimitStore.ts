/**
 * The rate limit's store in Redis, over the proxy's own command connection.
 *
 * `@effect/experimental`'s Redis store (`RateLimiter/Redis`, 0.61) opens a connection of its
 * own and takes no other: the proxy could neither count that connection's failures as Redis
 * failures nor keep ioredis from printing each of its reconnects on stderr. So the store is
 * written here with that store's two scripts, unchanged, and its key prefix: replicas of an
 * older build and of this one share the same buckets during a rolling update.
 */
import { RateLimiter } from "@effect/experimental"
import { Duration, Effect, Option } from "effect"
import type { Redis } from "ioredis"

const prefix = "ratelimiter:"

// From @effect/experimental 0.61.1, src/RateLimiter/Redis.ts.
const fixedWindowScript = `
local key = KEYS[1]
local tokens = tonumber(ARGV[1])
local refillms = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local current = tonumber(redis.call("GET", key))

if not current then
  local nextpttl = refillms * tokens
  redis.call("SET", key, tokens, "PX", nextpttl)
  return { tokens, nextpttl }
end

local currentpttl = tonumber(redis.call("PTTL", key) or "0")
local next = current + tokens
if limit and next > limit then
  return { next, currentpttl }
end

local nextpttl = currentpttl + (refillms * tokens)
redis.call("SET", key, next, "PX", nextpttl)
return { next, nextpttl }
`

// From @effect/experimental 0.61.1, src/RateLimiter/Redis.ts.
const tokenBucketScript = `
local key = KEYS[1]
local last_refill_key = key .. ":refill"
local tokens = tonumber(ARGV[1])
local refill_ms = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local now = tonumber(ARGV[4])
local overflow = ARGV[5] == "1"
local current = tonumber(redis.call("GET", key))
local last_refill = tonumber(redis.call("GET", last_refill_key))

if not current then
  current = limit
  last_refill = now
  redis.call("SET", key, current)
  redis.call("SET", last_refill_key, last_refill)
end

local elapsed = now - last_refill
local refill_amount = math.floor(elapsed / refill_ms)
if refill_amount > 0 then
  current = math.min(current + refill_amount, limit)
  last_refill = last_refill + (refill_amount * refill_ms)
  redis.call("SET", last_refill_key, last_refill)
end

local next = current - tokens
if next < 0 and not overflow then
  redis.call("SET", key, current)
  return next
end

redis.call("SET", key, next)
return next
`

interface WithRateLimiting {
  fixedWindow(key: string, tokens: number, refillMillis: number, limit?: number): Promise<[number, number]>
  tokenBucket(
    key: string,
    tokens: number,
    refillMillis: number,
    limit: number,
    now: number,
    overflow: 0 | 1
  ): Promise<number>
}

/**
 * The store over `redis`, each command through `command` (which counts a failure as Redis
 * down and answers `None`). A command that failed is the store's error, or, failing `open`,
 * an admission: what the limiter would have said with every token left.
 */
export const makeRedisRateLimitStore = (
  redis: Redis,
  command: <A>(run: () => Promise<A>) => Effect.Effect<Option.Option<A>>,
  failure: "open" | "closed"
): RateLimiter.RateLimiterStore["Type"] => {
  redis.defineCommand("fixedWindow", { lua: fixedWindowScript, numberOfKeys: 1, readOnly: false })
  redis.defineCommand("tokenBucket", { lua: tokenBucketScript, numberOfKeys: 1, readOnly: false })
  const scripts = redis as unknown as WithRateLimiting
  const answer = <A>(result: Option.Option<A>, name: string, admitted: () => A) =>
    Option.isSome(result)
      ? Effect.succeed(result.value)
      : failure === "open"
      ? Effect.sync(admitted)
      : Effect.fail(
        new RateLimiter.RateLimitStoreError({
          message: `Failed to execute ${name} rate limiting command`,
          cause: result
        })
      )
  return RateLimiter.RateLimiterStore.of({
    fixedWindow: (request) => {
      const refillMillis = Duration.toMillis(request.refillRate)
      return Effect.flatMap(
        command(() => scripts.fixedWindow(`${prefix}${request.key}`, request.tokens, refillMillis, request.limit)),
        (result) => answer(result, "fixedWindow", () => [request.tokens, refillMillis] as const)
      )
    },
    tokenBucket: (request) =>
      Effect.clockWith((clock) =>
        Effect.flatMap(
          command(() =>
            scripts.tokenBucket(
              `${prefix}${request.key}`,
              request.tokens,
              Duration.toMillis(request.refillRate),
              request.limit,
              clock.unsafeCurrentTimeMillis(),
              request.allowOverflow ? 1 : 0
            )
          ),
          (result) => answer(result, "tokenBucket", () => request.limit - request.tokens)
        )
      )
  })
}
