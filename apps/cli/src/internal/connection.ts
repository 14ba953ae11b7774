import { HelpDoc, Options, ValidationError } from "@effect/cli"
import { Config, Duration, Effect, Option, type Redacted } from "effect"

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** `500ms`, `30s`, `2m`, `1h`, or a bare number of seconds. */
export const parseDuration = (text: string): Option.Option<Duration.Duration> => {
  const match = text.trim().match(/^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/)
  if (match === null) return Option.none()
  const millis = Number(match[1]) * units[match[2] ?? "s"]
  return millis > 0 && Number.isFinite(millis) ? Option.some(Duration.millis(millis)) : Option.none()
}

/** A duration option such as `--timeout 30s`. */
export const durationOption = (name: string, description: string) =>
  Options.text(name).pipe(
    Options.withDescription(`${description} (e.g. 500ms, 30s, 2m; a bare number is seconds)`),
    Options.mapEffect((text) =>
      Option.match(parseDuration(text), {
        onNone: () =>
          Effect.fail(
            ValidationError.invalidValue(
              HelpDoc.p(`--${name}: ${JSON.stringify(text)} is not a duration (e.g. 500ms, 30s, 2m)`)
            )
          ),
        onSome: Effect.succeed
      })
    ),
    Options.optional
  )

const fromEnv = <A>(options: Options.Options<A>, config: Config.Config<A>) =>
  options.pipe(Options.withFallbackConfig(config), Options.optional)

/** Connection options shared by every command that talks to the API. */
export const connectionOptions = {
  apiKey: fromEnv(
    Options.redacted("api-key").pipe(
      Options.withDescription("OpenAI API key (default: $OPENAI_API_KEY); never printed")
    ),
    Config.redacted("OPENAI_API_KEY")
  ),
  baseUrl: fromEnv(
    Options.text("base-url").pipe(
      Options.withDescription("API base URL (default: $OPENAI_BASE_URL, else https://api.openai.com/v1)")
    ),
    Config.string("OPENAI_BASE_URL")
  ),
  organization: fromEnv(
    Options.text("org").pipe(Options.withDescription("OpenAI organization (default: $OPENAI_ORG_ID)")),
    Config.string("OPENAI_ORG_ID")
  ),
  project: fromEnv(
    Options.text("project").pipe(Options.withDescription("OpenAI project (default: $OPENAI_PROJECT_ID)")),
    Config.string("OPENAI_PROJECT_ID")
  ),
  maxRetries: Options.integer("max-retries").pipe(
    Options.withDescription("Retries after a failed attempt (default 2)"),
    Options.optional
  ),
  timeout: durationOption("timeout", "Time limit of one HTTP attempt (default 60s)")
}

export interface ConnectionOptions {
  readonly apiKey: Option.Option<Redacted.Redacted>
  readonly baseUrl: Option.Option<string>
  readonly organization: Option.Option<string>
  readonly project: Option.Option<string>
  readonly maxRetries: Option.Option<number>
  readonly timeout: Option.Option<Duration.Duration>
}
