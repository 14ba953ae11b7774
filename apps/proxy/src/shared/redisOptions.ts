import type { RedisOptions } from "ioredis"

/** Every Redis command fails after this long instead of hanging a request. */
export const commandTimeoutMillis = 500

/**
 * ioredis options from `redis://[user:password@]host[:port][/db]` or `rediss://…` (TLS).
 * Every command fails after {@link commandTimeoutMillis}, queued while disconnected or
 * sent; the connection is retried in the background for ever.
 * A bad URL is a message that never repeats the password.
 */
export const redisOptionsFromUrl = (text: string): RedisOptions | string => {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return "FILEBATCH_PROXY_REDIS_URL must be a URL such as redis://127.0.0.1:6379/0 (or rediss:// for TLS)"
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
    return `FILEBATCH_PROXY_REDIS_URL must start with redis:// or rediss:// (got ${url.protocol}//)`
  }
  const db = url.pathname === "" || url.pathname === "/" ? 0 : Number(url.pathname.slice(1))
  if (!Number.isInteger(db) || db < 0) {
    return `FILEBATCH_PROXY_REDIS_URL: the database must be a whole number (got ${url.pathname.slice(1)})`
  }
  return {
    host: url.hostname.replace(/^\[|\]$/g, ""),
    port: url.port === "" ? 6379 : Number(url.port),
    db,
    ...(url.username !== "" ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password !== "" ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.protocol === "rediss:" ? { tls: { servername: url.hostname } } : {}),
    commandTimeout: commandTimeoutMillis,
    maxRetriesPerRequest: 0,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(times * 100, 500),
    lazyConnect: true
  }
}

/** Where Redis is, for messages and logs: never the password. */
export const redisAddress = (options: RedisOptions) => `${options.host}:${options.port}/${options.db ?? 0}`
