import { describe, expect, it } from "@effect/vitest"
import { redisAddress, redisOptionsFromUrl } from "../src/shared/redisOptions.js"

describe("FILEBATCH_PROXY_REDIS_URL", () => {
  it("reads host, port, database, user and password; rediss:// is TLS", () => {
    expect(redisOptionsFromUrl("redis://127.0.0.1:6379/0")).toMatchObject({ host: "127.0.0.1", port: 6379, db: 0 })
    expect(redisOptionsFromUrl("redis://redis.internal")).toMatchObject({ host: "redis.internal", port: 6379, db: 0 })
    const withUser = redisOptionsFromUrl("redis://app:p%40ss@redis.internal:6380/3")
    expect(withUser).toMatchObject({ host: "redis.internal", port: 6380, db: 3, username: "app", password: "p@ss" })
    expect(redisOptionsFromUrl("redis://:only-password@[::1]:6379")).toMatchObject({
      host: "::1",
      password: "only-password"
    })
    const tls = redisOptionsFromUrl("rediss://:pw@cache.example.com:6380/1")
    expect(tls).toMatchObject({
      host: "cache.example.com",
      port: 6380,
      db: 1,
      tls: { servername: "cache.example.com" }
    })
    expect(redisOptionsFromUrl("redis://127.0.0.1")).not.toHaveProperty("tls")
    // Every command has a time limit: nothing waits on Redis for long.
    expect(redisOptionsFromUrl("redis://127.0.0.1")).toMatchObject({ commandTimeout: 500, maxRetriesPerRequest: 0 })
  })

  it("a bad URL is one sentence that never repeats the password", () => {
    expect(redisOptionsFromUrl("not a url")).toMatch(/^FILEBATCH_PROXY_REDIS_URL must be a URL such as redis:\/\//)
    expect(redisOptionsFromUrl("http://:secret@host")).toBe(
      "FILEBATCH_PROXY_REDIS_URL must start with redis:// or rediss:// (got http://)"
    )
    const badDb = redisOptionsFromUrl("redis://:secret@host/x")
    expect(badDb).toBe("FILEBATCH_PROXY_REDIS_URL: the database must be a whole number (got x)")
    expect(redisAddress({ host: "h", port: 1, db: 2, password: "secret" })).toBe("h:1/2")
  })
})
