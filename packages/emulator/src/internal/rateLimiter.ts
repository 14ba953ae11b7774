import * as Errors from "./apiError.js"
import type { ApiError } from "./apiError.js"

/** A token bucket per API key, on the emulator's Clock time. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>()
  private readonly refillPerMilli: number

  constructor(readonly perMinute: number) {
    this.refillPerMilli = perMinute / 60_000
  }

  /** Takes a token; returns the remaining tokens, or the wait in ms when none is left. */
  take(key: string, now: number): { ok: true; remaining: number; resetMillis: number } | {
    ok: false
    waitMillis: number
  } {
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, at: now }
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.at) * this.refillPerMilli)
    bucket.at = now
    this.buckets.set(key, bucket)
    if (bucket.tokens < 1) return { ok: false, waitMillis: Math.ceil((1 - bucket.tokens) / this.refillPerMilli) }
    bucket.tokens -= 1
    return {
      ok: true,
      remaining: Math.floor(bucket.tokens),
      resetMillis: Math.ceil((this.perMinute - bucket.tokens) / this.refillPerMilli)
    }
  }

  /** A request of `key` at `now`: OpenAI's `x-ratelimit-*` headers, and the 429 when refused. */
  admit(key: string, now: number): { readonly headers: Record<string, string>; readonly refused?: ApiError } {
    const taken = this.take(key, now)
    const limit = String(this.perMinute)
    if (!taken.ok) {
      return {
        refused: Errors.rateLimited(this.perMinute, taken.waitMillis),
        headers: {
          "x-ratelimit-limit-requests": limit,
          "x-ratelimit-remaining-requests": "0",
          "x-ratelimit-reset-requests": `${Math.ceil(taken.waitMillis)}ms`,
          "retry-after": String(Math.max(1, Math.ceil(taken.waitMillis / 1000)))
        }
      }
    }
    return {
      headers: {
        "x-ratelimit-limit-requests": limit,
        "x-ratelimit-remaining-requests": String(taken.remaining),
        "x-ratelimit-reset-requests": `${taken.resetMillis}ms`
      }
    }
  }
}
