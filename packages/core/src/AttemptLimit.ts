/**
 * A protocol between core and an `HttpClient` that enforces core's time limit for each
 * HTTP attempt itself. Core normally bounds an attempt by racing it in a fiber of its
 * own against a timer; a client marked with {@link enforcing} is instead told the limit
 * of each attempt (in {@link current}, while it executes the request) and fails with
 * {@link Reached} when it passes, which spares a fiber per attempt. Core only relies on it
 * for the very client it was given, on the live clock; a wrapped client (say, through
 * `HttpClient.tapRequest`) is a new object without the mark, and gets core's own timer.
 *
 * @since 0.1.0
 */
import type { HttpClient } from "@effect/platform"
import { Data, FiberRef } from "effect"
import { globalValue } from "effect/GlobalValue"

/**
 * @since 0.1.0
 * @category symbols
 */
export const TypeId: unique symbol = Symbol.for("@filebatch/core/AttemptLimit")

/**
 * Marks `client` as enforcing attempt limits (and returns it).
 *
 * @since 0.1.0
 * @category constructors
 */
export const enforcing = <C extends HttpClient.HttpClient>(client: C): C => Object.assign(client, { [TypeId]: TypeId })

/**
 * Whether `client` itself says it enforces attempt limits.
 *
 * @since 0.1.0
 * @category guards
 */
export const isEnforcedBy = (client: HttpClient.HttpClient): boolean => TypeId in client

/**
 * The time limit in milliseconds of the attempt being executed, set by core around a
 * marked client's `execute`; `undefined` otherwise.
 *
 * @since 0.1.0
 * @category symbols
 */
export const current: FiberRef.FiberRef<number | undefined> = globalValue(
  // One instance however many copies of core are loaded, like the mark's symbol.
  Symbol.for("@filebatch/core/AttemptLimit/current"),
  () => FiberRef.unsafeMake<number | undefined>(undefined)
)

/**
 * What an enforcing client fails with, as the `cause` of a `RequestError`, when an
 * attempt passes its limit; core turns it into its `TimeoutError`.
 *
 * @since 0.1.0
 * @category errors
 */
export class Reached extends Data.TaggedError("AttemptLimitReached")<{ readonly millis: number }> {}
