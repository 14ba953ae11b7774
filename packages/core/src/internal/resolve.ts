import { Duration, Either, Option, Redacted } from "effect"
import * as DurationText from "../DurationText.js"
import type { FileBatchOptions, FileBatchSettings, SettingNames } from "./settings.js"

/** What an absent option becomes. */
export interface Defaults {
  readonly baseUrl: string
  readonly timeout: Duration.Duration
  readonly maxRetries: number
  readonly deadline: Duration.Duration
  readonly pollInterval: Duration.Duration
  readonly maxWait: Duration.Duration
}

const optionalText = (value: string | undefined): Option.Option<string> =>
  value === undefined || value.trim() === "" ? Option.none() : Option.some(value.trim())

const positiveDuration = (name: string, input: Duration.DurationInput): Either.Either<Duration.Duration, string> => {
  if (typeof input === "string") return DurationText.parseFor(name, input)
  const decoded = Duration.decodeUnknown(input)
  if (Option.isNone(decoded) || !Duration.isFinite(decoded.value) || Duration.toMillis(decoded.value) <= 0) {
    return Either.left(`${name} must be a positive duration`)
  }
  return Either.right(decoded.value)
}

/** Checks options and fills in defaults; `Left` names the bad setting as `names` call it. */
export const resolveWith = (
  options: FileBatchOptions,
  names: SettingNames,
  defaults: Defaults
): Either.Either<FileBatchSettings, string> =>
  Either.gen(function*() {
    const apiKey = Redacted.isRedacted(options.apiKey) ? options.apiKey : Redacted.make(options.apiKey)
    const key = Redacted.value(apiKey).trim()
    if (key === "") return yield* Either.left(`${names.apiKey} must not be empty`)
    if (/[\s\u0000-\u001f\u007f]/.test(key)) {
      return yield* Either.left(`${names.apiKey} must not contain spaces or control characters`)
    }
    const baseUrl = (options.baseUrl ?? defaults.baseUrl).trim().replace(/\/+$/, "")
    let url: URL
    try {
      url = new URL(baseUrl)
    } catch {
      return yield* Either.left(`${names.baseUrl}: ${JSON.stringify(baseUrl)} is not a URL`)
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      return yield* Either.left(`${names.baseUrl} must use http or https (got ${url.protocol})`)
    }
    if (url.username !== "" || url.password !== "") {
      return yield* Either.left(`${names.baseUrl} must not contain credentials`)
    }
    const maxRetries = options.maxRetries ?? defaults.maxRetries
    if (!Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > 20) {
      return yield* Either.left(`${names.maxRetries} must be a whole number from 0 to 20 (got ${maxRetries})`)
    }
    return {
      apiKey: Redacted.make(key),
      baseUrl,
      organization: optionalText(options.organization),
      project: optionalText(options.project),
      timeout: yield* positiveDuration(names.timeout, options.timeout ?? defaults.timeout),
      maxRetries,
      deadline: yield* positiveDuration(names.deadline, options.deadline ?? defaults.deadline),
      pollInterval: yield* positiveDuration(names.pollInterval, options.pollInterval ?? defaults.pollInterval),
      maxWait: yield* positiveDuration(names.maxWait, options.maxWait ?? defaults.maxWait)
    }
  })
