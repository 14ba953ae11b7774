/**
 * Following a batch after a cancel until it stops. Unlike the official SDK's polling
 * helpers, every wait here is bounded: past the maximum wait it fails with a
 * {@link WaitTimeoutError}.
 *
 * @since 0.1.0
 */
import { Duration, Effect, Option, Stream } from "effect"
import { isTerminal, type VectorStoreFileBatch } from "./FileBatch.js"
import * as FileBatchApi from "./FileBatchApi.js"
import {
  asBatchResponse,
  FileBatchClient,
  type FileBatchClientService,
  type FileBatchResponse
} from "./FileBatchClient.js"
import { type FileBatchWaitError, WaitTimeoutError } from "./FileBatchError.js"
import { type FileBatchRef } from "./FileBatchId.js"
import { refAttributes, withSpan, withStreamSpan } from "./internal/tracing.js"

/**
 * How to follow a batch; defaults come from the client's settings.
 *
 * @since 0.1.0
 * @category models
 */
export interface WatchOptions {
  /** Delay between reads when the server sends no `openai-poll-after-ms`. */
  readonly pollInterval?: Duration.DurationInput | undefined
  /** Longest time to follow before failing with a `WaitTimeoutError`. */
  readonly maxWait?: Duration.DurationInput | undefined
}

const follow = (
  client: FileBatchClientService,
  ref: FileBatchRef,
  options: WatchOptions,
  first: "cancel" | "retrieve"
): Stream.Stream<FileBatchResponse, FileBatchWaitError> => {
  const interval = Duration.decode(options.pollInterval ?? client.settings.pollInterval)
  const maxWait = Duration.decode(options.maxWait ?? client.settings.maxWait)
  let lastStatus: string | undefined
  const snapshots = Stream.paginateEffect(
    { operation: first, delay: Duration.zero } as const satisfies {
      operation: "cancel" | "retrieve"
      delay: Duration.Duration
    },
    ({ delay, operation }) =>
      Effect.sleep(delay).pipe(
        Effect.zipRight(client.execute(FileBatchApi.operations[operation], { ref })),
        Effect.map(asBatchResponse),
        Effect.map((response) => {
          lastStatus = response.batch.status
          const next = isTerminal(response.batch)
            ? Option.none()
            : Option.some({
              operation: "retrieve" as const,
              delay: response.pollAfterMillis !== undefined ? Duration.millis(response.pollAfterMillis) : interval
            })
          return [response, next] as const
        })
      )
  )
  const timeLimit = Effect.sleep(maxWait).pipe(
    Effect.zipRight(Effect.suspend(() =>
      Effect.fail(
        new WaitTimeoutError({
          ...ref,
          maxWaitMillis: Duration.toMillis(maxWait),
          ...(lastStatus !== undefined ? { lastStatus } : {}),
          message: `batch ${ref.batchId} did not stop within ${Duration.format(maxWait)}${
            lastStatus !== undefined ? ` (last status: ${lastStatus})` : ""
          }`
        })
      )
    ))
  )
  return Stream.interruptWhen(snapshots, timeLimit)
}

/**
 * Like {@link watch}, with each answer's raw JSON, request id and poll hint.
 *
 * @since 0.1.0
 * @category following
 */
export const watchResponses = (
  ref: FileBatchRef,
  options: WatchOptions = {}
): Stream.Stream<FileBatchResponse, FileBatchWaitError, FileBatchClient> =>
  withStreamSpan(
    Stream.unwrap(Effect.map(FileBatchClient, (client) => follow(client, ref, options, "retrieve"))),
    "filebatch.watch",
    () => ({ attributes: refAttributes(ref) })
  )

/**
 * Like {@link cancelAndWatch}, with each answer's raw JSON, request id and poll hint.
 *
 * @since 0.1.0
 * @category following
 */
export const cancelAndWatchResponses = (
  ref: FileBatchRef,
  options: WatchOptions = {}
): Stream.Stream<FileBatchResponse, FileBatchWaitError, FileBatchClient> =>
  withStreamSpan(
    Stream.unwrap(Effect.map(FileBatchClient, (client) => follow(client, ref, options, "cancel"))),
    "filebatch.cancel_and_watch",
    () => ({ attributes: refAttributes(ref) })
  )

/**
 * Reads the batch until it is terminal, emitting each snapshot; the last one is terminal.
 *
 * @since 0.1.0
 * @category following
 */
export const watch = (
  ref: FileBatchRef,
  options: WatchOptions = {}
): Stream.Stream<VectorStoreFileBatch, FileBatchWaitError, FileBatchClient> =>
  Stream.map(watchResponses(ref, options), (response) => response.batch)

/**
 * Cancels the batch, then reads it until it is terminal, emitting the cancel's answer
 * and each later snapshot.
 *
 * @since 0.1.0
 * @category following
 */
export const cancelAndWatch = (
  ref: FileBatchRef,
  options: WatchOptions = {}
): Stream.Stream<VectorStoreFileBatch, FileBatchWaitError, FileBatchClient> =>
  Stream.map(cancelAndWatchResponses(ref, options), (response) => response.batch)

const lastSnapshot = <R>(stream: Stream.Stream<VectorStoreFileBatch, FileBatchWaitError, R>) =>
  // A stream that ends without failing has emitted at least its terminal snapshot.
  Effect.map(Stream.runLast(stream), Option.getOrThrow)

/**
 * Waits until the batch is terminal and returns it.
 *
 * @since 0.1.0
 * @category following
 */
export const awaitTerminal = (
  ref: FileBatchRef,
  options: WatchOptions = {}
): Effect.Effect<VectorStoreFileBatch, FileBatchWaitError, FileBatchClient> =>
  withSpan(lastSnapshot(watch(ref, options)), "filebatch.await_terminal", () => ({ attributes: refAttributes(ref) }))

/**
 * Cancels the batch and waits until it has stopped; returns the terminal batch.
 *
 * @since 0.1.0
 * @category following
 */
export const cancelAndAwait = (
  ref: FileBatchRef,
  options: WatchOptions = {}
): Effect.Effect<VectorStoreFileBatch, FileBatchWaitError, FileBatchClient> =>
  withSpan(lastSnapshot(cancelAndWatch(ref, options)), "filebatch.cancel_and_await", () => ({
    attributes: refAttributes(ref)
  }))
