/**
 * The settings' types, apart from `FileBatchConfig` (which re-exports them) so that the resolver
 * it uses can name them without importing it back.
 */
import type { Duration, Option, Redacted } from "effect"

/**
 * Resolved settings.
 *
 * @since 0.1.0
 * @category models
 */
export interface FileBatchSettings {
  readonly apiKey: Redacted.Redacted<string>
  /** API root without a trailing slash, e.g. `https://api.openai.com/v1`. */
  readonly baseUrl: string
  readonly organization: Option.Option<string>
  readonly project: Option.Option<string>
  /** Time limit of one HTTP attempt, body included. */
  readonly timeout: Duration.Duration
  /** Retries after the first attempt. */
  readonly maxRetries: number
  /** Time limit of one call, all attempts and retry delays included. */
  readonly deadline: Duration.Duration
  /** Poll interval when following a batch, unless the server sends `openai-poll-after-ms`. */
  readonly pollInterval: Duration.Duration
  /** How long following a batch may take before it fails with a `WaitTimeoutError`. */
  readonly maxWait: Duration.Duration
}

/**
 * What callers give; everything but the key has a default.
 *
 * @since 0.1.0
 * @category models
 */
export interface FileBatchOptions {
  readonly apiKey: Redacted.Redacted<string> | string
  readonly baseUrl?: string | undefined
  readonly organization?: string | undefined
  readonly project?: string | undefined
  readonly timeout?: Duration.DurationInput | undefined
  readonly maxRetries?: number | undefined
  readonly deadline?: Duration.DurationInput | undefined
  readonly pollInterval?: Duration.DurationInput | undefined
  readonly maxWait?: Duration.DurationInput | undefined
}

/**
 * What each setting is called where it was given, so that a message names it as the
 * user wrote it: an option, an environment variable, a flag.
 *
 * @since 0.2.0
 * @category models
 */
export type SettingNames = { readonly [K in keyof FileBatchOptions]-?: string }
