import { describe, expect, it } from "@effect/vitest"
import { DurationText, FileBatchConfig } from "@filebatch/core"
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
        FILEBATCH_TIMEOUT: "3 seconds",
        FILEBATCH_DEADLINE: "90s",
        FILEBATCH_MAX_WAIT: "2m"
      }).pipe(Effect.flatten)
      expect(Redacted.value(settings.apiKey)).toBe("sk-abc")
      expect(settings.baseUrl).toBe("http://127.0.0.1:4010/v1")
      expect(settings.organization).toEqual(Option.some("org-1"))
      expect(settings.project).toEqual(Option.some("proj_1"))
      expect(settings.maxRetries).toBe(5)
      expect(Duration.toMillis(settings.timeout)).toBe(3000)
      expect(Duration.toMillis(settings.deadline)).toBe(90_000)
      expect(Duration.toMillis(settings.maxWait)).toBe(120_000)
    }))

  it("DurationText: one grammar for every duration people write", () => {
    const cases: Array<[string, number]> = [
      ["500ms", 500],
      ["30s", 30_000],
      ["1.5s", 1_500],
      ["2m", 120_000],
      ["1h", 3_600_000],
      ["1 minute", 60_000],
      ["10 seconds", 10_000],
      ["250 millis", 250],
      ["45", 45_000],
      [" 3 Seconds ", 3_000],
      ["0s", 0]
    ]
    for (const [text, millis] of cases) {
      expect(Option.map(DurationText.parse(text), Duration.toMillis), text).toEqual(Option.some(millis))
    }
    for (const text of ["", "soon", "-1s", "1 fortnight", "1e3s", "s", "1 2s"]) {
      expect(DurationText.parse(text), text).toEqual(Option.none())
    }
    expect(DurationText.parseFor("--timeout", "0s")).toEqual(Either.left("--timeout must be more than zero"))
    expect(Either.isRight(DurationText.parseFor("DELAY", "0s", { allowZero: true }))).toBe(true)
  })

  it.effect("defaults to the official endpoint", () =>
    Effect.gen(function*() {
      const settings = yield* fromEnv({ OPENAI_API_KEY: "sk-abc" }).pipe(Effect.flatten)
      expect(settings.baseUrl).toBe("https://api.openai.com/v1")
      expect(settings.maxRetries).toBe(2)
      expect(Option.isNone(settings.organization)).toBe(true)
    }))

  it.effect("fails clearly on a missing key or a bad value, without showing the key", () =>
    Effect.gen(function*() {
      const described = (env: Record<string, string>) =>
        Effect.map(fromEnv(env), (result) => Either.isLeft(result) && FileBatchConfig.describeConfigError(result.left))
      expect(yield* described({})).toBe("OPENAI_API_KEY is missing: set it to an OpenAI API key")
      expect(yield* described({ OPENAI_API_KEY: "" })).toBe("OPENAI_API_KEY must not be empty")
      const badUrl = yield* described({ OPENAI_API_KEY: "sk-secret-value", OPENAI_BASE_URL: "ftp://x" })
      expect(badUrl).toBe("OPENAI_BASE_URL must use http or https (got ftp:)")
      expect(yield* described({ OPENAI_API_KEY: "sk-a", FILEBATCH_MAX_RETRIES: "-1" })).toBe(
        "FILEBATCH_MAX_RETRIES must be a whole number from 0 to 20 (got -1)"
      )
      expect(yield* described({ OPENAI_API_KEY: "sk-a", FILEBATCH_TIMEOUT: "soon" })).toBe(
        "FILEBATCH_TIMEOUT: \"soon\" is not a duration (e.g. 500ms, 30s, 2m, 1h, 10 seconds)"
      )
      expect(yield* described({ OPENAI_API_KEY: "sk-a", FILEBATCH_DEADLINE: "0s" })).toBe(
        "FILEBATCH_DEADLINE must be more than zero"
      )
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
