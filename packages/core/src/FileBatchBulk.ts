/**
 * Cancelling many batches at once with bounded concurrency. Each batch gets its own
 * outcome; one failure never stops the others. The cancels share one pace: a 429 on
 * any of them pauses all (for the server's `retry-after`) and halves the concurrency,
 * which grows back one at a time as cancels succeed.
 *
 * @since 0.1.0
 */
import { Data, Effect, Stream } from "effect"
import type { VectorStoreFileBatch } from "./FileBatch.js"
import { FileBatchClient } from "./FileBatchClient.js"
import type { FileBatchError } from "./FileBatchError.js"
import type { FileBatchRef } from "./FileBatchId.js"
import { makePace } from "./internal/pace.js"
import { withStreamSpan } from "./internal/tracing.js"
import { cancel } from "./operations/cancel.js"

/**
 * The outcome of one batch: `Cancelled` with the answer, or `Failed` with the typed error.
 * `index` is the position of the pair in the input.
 *
 * @since 0.1.0
 * @category models
 */
export type CancelOutcome = Data.TaggedEnum<{
  Cancelled: {
    readonly index: number
    readonly ref: FileBatchRef
    readonly batch: VectorStoreFileBatch
    /** The answer's body as received. */
    readonly json: unknown
    readonly requestId: string | undefined
  }
  Failed: { readonly index: number; readonly ref: FileBatchRef; readonly error: FileBatchError }
}>

/**
 * Constructors and matchers of {@link CancelOutcome}.
 *
 * @since 0.1.0
 * @category constants
 */
export const CancelOutcome = Data.taggedEnum<CancelOutcome>()

/**
 * Options of {@link cancelMany}.
 *
 * @since 0.1.0
 * @category models
 */
export interface CancelManyOptions {
  /** Cancels in flight at once (default 8); fewer for a while after a 429. */
  readonly concurrency?: number | undefined
}

const concurrencyOf = (options: CancelManyOptions) => Math.max(1, Math.floor(options.concurrency ?? 8))

/**
 * Cancels every pair, emitting one outcome per pair as it completes.
 *
 * @since 0.1.0
 * @category operations
 */
export const cancelMany = (
  refs: Iterable<FileBatchRef> | Stream.Stream<FileBatchRef>,
  options: CancelManyOptions = {}
): Stream.Stream<CancelOutcome, never, FileBatchClient> => {
  const concurrency = concurrencyOf(options)
  const input = Stream.StreamTypeId in refs ? refs as Stream.Stream<FileBatchRef> : Stream.fromIterable(refs)
  // A fiber per cancel, started when a slot is free, each outcome emitted as it comes:
  // `Stream.mapEffect` with `unordered` cost about twice the CPU per cancel (bench/bulk).
  return withStreamSpan(
    Stream.asyncScoped<CancelOutcome, never, FileBatchClient>((emit) =>
      Effect.gen(function*() {
        const client = yield* FileBatchClient
        const { paced } = yield* makePace(concurrency)
        const slots = yield* Effect.makeSemaphore(concurrency)
        const scope = yield* Effect.scope
        const cancelOne = (ref: FileBatchRef, index: number) =>
          paced(client.execute(cancel, { ref })).pipe(
            Effect.match({
              onFailure: (error) => CancelOutcome.Failed({ index, ref, error }),
              onSuccess: ({ json, requestId, value }) =>
                CancelOutcome.Cancelled({ index, ref, batch: value, json, requestId })
            }),
            Effect.flatMap((outcome) => Effect.promise(() => emit.single(outcome))),
            Effect.ensuring(slots.release(1))
          )
        yield* input.pipe(
          Stream.zipWithIndex,
          Stream.runForEach(([ref, index]) =>
            Effect.zipRight(slots.take(1), Effect.forkIn(cancelOne(ref, index), scope))
          ),
          // Every slot back: every cancel has been told.
          Effect.zipRight(slots.take(concurrency)),
          Effect.zipRight(Effect.promise(() => emit.end())),
          Effect.forkScoped
        )
      }), { bufferSize: concurrency }),
    "filebatch.cancel_many",
    () => ({ attributes: { "filebatch.concurrency": concurrency } })
  )
}
