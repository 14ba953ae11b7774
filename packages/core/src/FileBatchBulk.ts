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
import { FileBatchClient, type OperationResponse } from "./FileBatchClient.js"
import type { FileBatchError } from "./FileBatchError.js"
import type { FileBatchRef } from "./FileBatchId.js"
import { makePace } from "./internal/pace.js"
import { withStreamSpan } from "./internal/tracing.js"
import type * as Operation from "./Operation.js"
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

/** The inputs as a stream, whether they came as one or as an iterable. */
const asStream = <A>(inputs: Iterable<A> | Stream.Stream<A>): Stream.Stream<A> =>
  Stream.StreamTypeId in inputs ? inputs as Stream.Stream<A> : Stream.fromIterable(inputs)

const concurrencyOf = (options: CancelManyOptions) => Math.max(1, Math.floor(options.concurrency ?? 8))

/**
 * What became of one call of {@link executeMany}: `Done` with the answer, or `Failed` with the
 * typed error. `index` is the position of the input.
 *
 * @since 0.3.0
 * @category models
 */
export type ExecuteOutcome<I, A> =
  | { readonly _tag: "Done"; readonly index: number; readonly input: I; readonly response: OperationResponse<A> }
  | { readonly _tag: "Failed"; readonly index: number; readonly input: I; readonly error: FileBatchError }

/**
 * Calls one operation for every input at one shared pace (a 429 on any call pauses all and
 * halves the concurrency), emitting one outcome per input as it completes: cancels, detaches,
 * deletes. One failure never stops the others.
 *
 * @since 0.3.0
 * @category operations
 */
export const executeMany = <Op extends Operation.Any>(
  operation: Op,
  inputs: Iterable<Operation.Input<Op>> | Stream.Stream<Operation.Input<Op>>,
  options: CancelManyOptions = {}
): Stream.Stream<ExecuteOutcome<Operation.Input<Op>, Operation.Success<Op>>, never, FileBatchClient> => {
  type Outcome = ExecuteOutcome<Operation.Input<Op>, Operation.Success<Op>>
  const concurrency = concurrencyOf(options)
  const input = asStream(inputs)
  // A fiber per call, started when a slot is free, each outcome emitted as it comes:
  // `Stream.mapEffect` with `unordered` cost about twice the CPU per cancel (bench/bulk).
  return withStreamSpan(
    Stream.asyncScoped<Outcome, never, FileBatchClient>((emit) =>
      Effect.gen(function*() {
        const client = yield* FileBatchClient
        const { paced } = yield* makePace(concurrency)
        const slots = yield* Effect.makeSemaphore(concurrency)
        const scope = yield* Effect.scope
        const callOne = (one: Operation.Input<Op>, index: number) =>
          paced(client.execute(operation, one)).pipe(
            Effect.match({
              onFailure: (error): Outcome => ({ _tag: "Failed", index, input: one, error }),
              onSuccess: (response): Outcome => ({ _tag: "Done", index, input: one, response })
            }),
            Effect.flatMap((outcome) => Effect.promise(() => emit.single(outcome))),
            Effect.ensuring(slots.release(1))
          )
        yield* input.pipe(
          Stream.zipWithIndex,
          Stream.runForEach(([one, index]) =>
            Effect.zipRight(slots.take(1), Effect.forkIn(callOne(one, index), scope))
          ),
          // Every slot back: every call has been told.
          Effect.zipRight(slots.take(concurrency)),
          Effect.zipRight(Effect.promise(() => emit.end())),
          Effect.forkScoped
        )
      }), { bufferSize: concurrency }),
    `filebatch.${operation.name}_many`,
    () => ({ attributes: { "filebatch.concurrency": concurrency } })
  )
}

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
  const inputs = Stream.map(asStream(refs), (ref) => ({ ref }))
  return Stream.map(executeMany(cancel, inputs, options), (outcome) =>
    outcome._tag === "Done"
      ? CancelOutcome.Cancelled({
        index: outcome.index,
        ref: outcome.input.ref,
        batch: outcome.response.value,
        json: outcome.response.json,
        requestId: outcome.response.requestId
      })
      : CancelOutcome.Failed({ index: outcome.index, ref: outcome.input.ref, error: outcome.error }))
}
