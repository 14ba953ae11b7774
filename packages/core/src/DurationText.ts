/**
 * The one grammar for durations written by people, shared by core's settings, the
 * proxy's and the CLI's flags: `500ms`, `30s`, `2m`, `1h`, `1.5s`, `1 minute`,
 * `10 seconds`, `250 millis`. A bare number is seconds.
 *
 * @since 0.2.0
 */
import { Config, ConfigError, Duration, Either, Option } from "effect"

const unitMillis: Record<string, number> = {
  ms: 1,
  milli: 1,
  millis: 1,
  millisecond: 1,
  milliseconds: 1,
  s: 1000,
  sec: 1000,
  secs: 1000,
  second: 1000,
  seconds: 1000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000
}

const grammar = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/

/**
 * Examples shown in error messages.
 *
 * @since 0.2.0
 * @category constants
 */
export const examples = "e.g. 500ms, 30s, 2m, 1h, 10 seconds"

/**
 * A duration from its text, or `None` when the text is not one (zero is a duration;
 * callers that need a positive one say so).
 *
 * @since 0.2.0
 * @category parsing
 */
export const parse = (text: string): Option.Option<Duration.Duration> => {
  const match = grammar.exec(text.trim().toLowerCase())
  if (match === null) return Option.none()
  const unit = match[2] === "" ? 1000 : unitMillis[match[2]]
  if (unit === undefined) return Option.none()
  const millis = Number(match[1]) * unit
  return Number.isFinite(millis) ? Option.some(Duration.millis(millis)) : Option.none()
}

/**
 * Why `text` is not an acceptable duration for `name`, or the duration.
 *
 * @since 0.2.0
 * @category parsing
 */
export const parseFor = (
  name: string,
  text: string,
  options: { readonly allowZero?: boolean } = {}
): Either.Either<Duration.Duration, string> =>
  Option.match(parse(text), {
    onNone: () => Either.left(`${name}: ${JSON.stringify(text)} is not a duration (${examples})`),
    onSome: (duration) =>
      Duration.toMillis(duration) > 0 || (options.allowZero === true && Duration.toMillis(duration) === 0)
        ? Either.right(duration)
        : Either.left(`${name} must be ${options.allowZero === true ? "zero or more" : "more than zero"}`)
  })

/**
 * A duration setting read through `Config` with this grammar.
 *
 * @since 0.2.0
 * @category config
 */
export const config = (
  name: string,
  options: { readonly allowZero?: boolean } = {}
): Config.Config<Duration.Duration> =>
  Config.string(name).pipe(
    Config.mapOrFail((text) =>
      Either.mapLeft(parseFor(name, text, options), (message) => ConfigError.InvalidData([], message))
    )
  )
