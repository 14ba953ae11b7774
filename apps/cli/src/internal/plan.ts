/**
 * `--dry-run`: what a command that changes something would send, worked out from what it
 * read, printed instead of sending it (one JSON object with `--json`/`-o json`).
 */
import { Duration, type Effect } from "effect"
import { out } from "./failure.js"
import type { Output } from "./output.js"

/** The writes a command would send, and how long they would take at its pace. */
export interface Plan {
  readonly command: string
  /** Requests of each operation, by core's operation name. */
  readonly requests: Readonly<Record<string, number>>
  /** What the requests are about, in a sentence each ("3 batches of 2000, 2000, 100 files"). */
  readonly details: ReadonlyArray<string>
  /** At the pace the command keeps, when it keeps one. */
  readonly seconds?: number | undefined
  /** The plan's facts as the JSON object carries them. */
  readonly json: Readonly<Record<string, unknown>>
}

const requestsText = (requests: Readonly<Record<string, number>>) =>
  Object.entries(requests).map(([operation, count]) => `${count} ${operation}`).join(", ")

/** The plan on stdout: a few lines, or one JSON object. Nothing was sent. */
export const printPlan = (plan: Plan, output: Output): Effect.Effect<void> =>
  output === "json"
    ? out(JSON.stringify({
      dry_run: true,
      command: plan.command,
      requests: plan.requests,
      ...(plan.seconds !== undefined ? { seconds: plan.seconds } : {}),
      ...plan.json
    }))
    : out([
      `dry run of '${plan.command}': nothing sent`,
      `would send: ${requestsText(plan.requests) || "nothing"}`,
      ...plan.details,
      ...(plan.seconds === undefined
        ? []
        : plan.seconds < 1
        ? ["would take: under a second at the pace"]
        : [`would take: about ${Duration.format(Duration.seconds(Math.ceil(plan.seconds)))} at the pace`])
    ].join("\n"))

/**
 * How long sending `costs` takes through a token bucket of `limit` a minute that starts full
 * (Effect's `RateLimiter`, "token-bucket"): the first `limit` at once, then `limit` a minute.
 */
export const bucketSeconds = (costs: ReadonlyArray<number>, limit: number): number => {
  let tokens = limit
  let seconds = 0
  for (const cost of costs) {
    if (cost > tokens) {
      const wait = ((cost - tokens) * 60) / limit
      seconds += wait
      tokens += (wait * limit) / 60
    }
    tokens -= cost
  }
  return seconds
}

/**
 * How long sending `costs` takes through minute-long windows of `limit` each (Effect's
 * `RateLimiter`, "fixed-window"): what does not fit in this minute's waits for the next one.
 */
export const windowSeconds = (costs: ReadonlyArray<number>, limit: number): number => {
  let left = limit
  let seconds = 0
  for (const cost of costs) {
    if (cost > left) {
      seconds += 60
      left = limit
    }
    left -= cost
  }
  return seconds
}
