/** What replicas share and how Redis is reported: the types the shared state's modules all speak. */
import type { Effect } from "effect"
import { Data } from "effect"
import type { Answer } from "../answers.js"

/** An upstream answer as replicas pass it to one another: plain JSON. */
export interface SharedAnswer {
  readonly answer: Answer
  readonly upstreamRequestId: string | undefined
  /** The server span of the request that made the call, while tracing: the others link to it. */
  readonly leader?: SpanIds | undefined
}

/** A span's IDs, as a link to it needs them. */
export interface SpanIds {
  readonly traceId: string
  readonly spanId: string
}

/** What the rate limit does while Redis cannot be reached: admit everything, or refuse with 503. */
export type RedisFailure = "open" | "closed"

/** Redis as `/readyz` and `/metrics` report it. */
export interface RedisState {
  readonly up: () => boolean
  readonly failure: RedisFailure
  /** Redis commands that failed (timed out, refused, disconnected). */
  readonly errors: () => number
  /** Times Redis went from reachable to unreachable. */
  readonly outages: () => number
  /** Cancels of this replica waiting for another replica's answer now. */
  readonly waitingOnOthers: () => number
  /** The audit records waiting in this replica's spool for the stream, and when the oldest one's call was made. */
  readonly auditSpool: { readonly records: () => number; readonly oldestMillis: () => number | undefined }
}

export interface SharedStateService {
  /** Undefined when the state is this process's own. */
  readonly redis: RedisState | undefined
  /**
   * Runs `call` for `key` once across replicas: the replica that takes the key's lock calls
   * (`Here`, its answer published as `shareable` makes it), the others get that answer
   * (`Remote`). Without Redis, or while it is unreachable, `call` runs here. `call` is told
   * whether other replicas may be waiting for its answer (it holds the lock).
   */
  readonly acrossReplicas: <A>(
    key: string,
    call: (othersMayWait: boolean) => Effect.Effect<A>,
    shareable: (value: A) => SharedAnswer
  ) => Effect.Effect<AcrossReplicas<A>>
}

/** Where a shared call ran. */
export type AcrossReplicas<A> =
  | { readonly _tag: "Here"; readonly value: A }
  | { readonly _tag: "Remote"; readonly shared: SharedAnswer }

/** Redis could not be reached at start: the proxy does not start half-configured. */
export class RedisStartError extends Data.TaggedError("RedisStartError")<{ readonly message: string }> {}
