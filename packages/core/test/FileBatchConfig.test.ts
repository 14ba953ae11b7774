import { describe, expect, it } from "@effect/vitest"
import { FileBatchConfig } from "@filebatch/core"
import { ConfigProvider, Duration, Effect, Either, Option, Redacted } from "effect"

const fromEnv = (env: Record<string, string>) =>
  FileBatchConfig.FileBatchConfig.pipe(
    Effect.provide(FileBatchConfig.layerConfig()),
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))),
    Effect.either
  )

describe("FileBatchConfig", () => {
  it.effect("reads the official SDK's environment variables", () =>
    Effect.gen(function*() {
      const settings = yield* fromEnv({
        OPENAI_API_KEY: "sk-abc",
        OPENAI_BASE_URL: "http://127.0.0.1:4010/v1/",
        OPENAI_ORG_ID: "org-1",
        OPENAI_PROJECT_ID: "proj_1",
        FILEBATCH_MAX_RETRIES: "5",
        FILEBATCH_TIMEOUT: "3 seconds"
      }).pipe(Effect.flatten)
      expect(Redacted.value(settings.apiKey)).toBe("sk-abc")
      expect(settings.baseUrl).toBe("http://127.0.0.1:4010/v1")
      expect(settings.organization).toEqual(Option.some("org-1"))
      expect(settings.project).toEqual(Option.some("proj_1"))
      expect(settings.maxRetries).toBe(5)
      expect(Duration.toMillis(settings.timeout)).toBe(3000)
      expect(Duration.toMillis(settings.deadline)).toBe(120_000)
    }))

  it.effect("defaults to the official endpoint", () =>
    Effect.gen(function*() {
      const settings = yield* fromEnv({ OPENAI_API_KEY: "sk-abc" }).pipe(Effect.flatten)
      expect(settings.baseUrl).toBe("https://api.openai.com/v1")
      expect(settings.maxRetries).toBe(2)
      expect(Option.isNone(settings.organization)).toBe(true)
    }))

  it.effect("fails clearly on a missing key or a bad value, without showing the key", () =>
    Effect.gen(function*() {
      const missing = yield* fromEnv({})
      expect(Either.isLeft(missing) && String(missing.left)).toMatch(/OPENAI_API_KEY/)
      const badUrl = yield* fromEnv({ OPENAI_API_KEY: "sk-secret-value", OPENAI_BASE_URL: "ftp://x" })
      expect(Either.isLeft(badUrl) && String(badUrl.left)).toMatch(/baseUrl must use http or https/)
      expect(Either.isLeft(badUrl) && String(badUrl.left)).not.toMatch(/sk-secret-value/)
      const badRetries = yield* fromEnv({ OPENAI_API_KEY: "sk-a", FILEBATCH_MAX_RETRIES: "-1" })
      expect(Either.isLeft(badRetries) && String(badRetries.left)).toMatch(/maxRetries/)
    }))

  it("resolve checks every option", () => {
    expect(Either.isRight(FileBatchConfig.resolve({ apiKey: "sk-a" }))).toBe(true)
    const problems: Array<FileBatchConfig.FileBatchOptions> = [
      { apiKey: " " },
      { apiKey: "sk a" },
      { apiKey: "sk-a", baseUrl: "not a url" },
      { apiKey: "sk-a", baseUrl: "https://user:pw@example.com" },
      { apiKey: "sk-a", timeout: 0 },
      { apiKey: "sk-a", maxWait: "forever" as Duration.DurationInput },
      { apiKey: "sk-a", maxRetries: 1.5 }
    ]
    for (const options of problems) {
      expect(Either.isLeft(FileBatchConfig.resolve(options)), JSON.stringify(options)).toBe(true)
    }
  })

  it("the key is redacted when settings are printed", () => {
    const settings = Either.getOrThrow(FileBatchConfig.resolve({ apiKey: "sk-very-secret" }))
    expect(JSON.stringify(settings)).not.toContain("sk-very-secret")
    expect(String(settings.apiKey)).not.toContain("sk-very-secret")
  })
})
