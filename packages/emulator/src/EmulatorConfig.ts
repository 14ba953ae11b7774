/**
 * Settings of the emulator.
 *
 * @since 0.1.0
 */
import type { FaultRule } from "./Fault.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface EmulatorOptions {
  /** Accepted API keys (default: `sk-filebatch-emulator`). */
  readonly keys?: ReadonlyArray<string>
  /** Time to process one file (default 200 ms). */
  readonly fileMillis?: number
  /** Files processed at once per batch (default 10). */
  readonly parallelism?: number
  /** Share of files that fail, 0 to 1 (default 0). */
  readonly failureRatio?: number
  /** Time from a cancel request to `cancelled` (default 500 ms). */
  readonly cancelDelayMillis?: number
  /** Status a batch shows while cancelling: the real API's `in_progress` (default) or `cancelling`. */
  readonly cancellingStatus?: "in_progress" | "cancelling"
  /** Cancelling a terminal batch: return it unchanged (default) or answer 400. */
  readonly cancelTerminal?: "unchanged" | "error"
  /** `openai-poll-after-ms` on batch reads (default 1000; 0 leaves it out). */
  readonly pollAfterMillis?: number
  /** Requests per minute per key; unlimited when absent. */
  readonly rateLimitPerMinute?: number | undefined
  /** Object type the batch shows: the schema's enum (default) or the example's spelling. */
  readonly objectType?: "vector_store.files_batch" | "vector_store.file_batch"
  /** Faults armed at start. */
  readonly faults?: ReadonlyArray<FaultRule>
  /** Serve `/__emulator/*` admin routes (default true). */
  readonly admin?: boolean
  /**
   * Start with batch progress held (default false): nothing moves until the progress is
   * advanced or resumed (`emulator.progress`, or `POST /__emulator/progress`).
   */
  readonly holdProgress?: boolean
}

/**
 * The key the emulator accepts when none is configured.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultKey = "sk-filebatch-emulator"

/**
 * @since 0.1.0
 * @category models
 */
export type EmulatorSettings = Required<Omit<EmulatorOptions, "rateLimitPerMinute">> & {
  readonly rateLimitPerMinute: number | undefined
}

const check = (ok: boolean, message: string) => {
  if (!ok) throw new RangeError(message)
}

/**
 * Fills in defaults and checks ranges; throws a `RangeError` naming the bad setting.
 *
 * @since 0.1.0
 * @category constructors
 */
export const resolveSettings = (options: EmulatorOptions = {}): EmulatorSettings => {
  const settings: EmulatorSettings = {
    keys: options.keys && options.keys.length > 0 ? options.keys : [defaultKey],
    fileMillis: options.fileMillis ?? 200,
    parallelism: options.parallelism ?? 10,
    failureRatio: options.failureRatio ?? 0,
    cancelDelayMillis: options.cancelDelayMillis ?? 500,
    cancellingStatus: options.cancellingStatus ?? "in_progress",
    cancelTerminal: options.cancelTerminal ?? "unchanged",
    pollAfterMillis: options.pollAfterMillis ?? 1000,
    rateLimitPerMinute: options.rateLimitPerMinute,
    objectType: options.objectType ?? "vector_store.files_batch",
    faults: options.faults ?? [],
    admin: options.admin ?? true,
    holdProgress: options.holdProgress ?? false
  }
  check(Number.isFinite(settings.fileMillis) && settings.fileMillis >= 0, "fileMillis must be 0 or more")
  check(Number.isInteger(settings.parallelism) && settings.parallelism >= 1, "parallelism must be a whole number ≥ 1")
  check(settings.failureRatio >= 0 && settings.failureRatio <= 1, "failureRatio must be between 0 and 1")
  check(Number.isFinite(settings.cancelDelayMillis) && settings.cancelDelayMillis >= 0, "cancelDelayMillis must be ≥ 0")
  check(Number.isFinite(settings.pollAfterMillis) && settings.pollAfterMillis >= 0, "pollAfterMillis must be ≥ 0")
  check(
    settings.rateLimitPerMinute === undefined ||
      (Number.isInteger(settings.rateLimitPerMinute) && settings.rateLimitPerMinute >= 1),
    "rateLimitPerMinute must be a whole number ≥ 1"
  )
  check(settings.keys.every((key) => key.trim() !== "" && !/\s/.test(key)), "keys must be non-empty, without spaces")
  return settings
}
