import { Emulator, type RequestLog } from "@filebatch/emulator"

export type { Fault } from "@filebatch/emulator"
import { Effect, Exit, Scope } from "effect"
import { eventually } from "./eventually.js"

/** An emulator on a free loopback port, for promise-based tests. */
export interface RunningEmulator {
  readonly emulator: Emulator.EmulatorService
  readonly close: () => Promise<void>
}

/**
 * Starts the emulator until `close`. Batches progress slowly (a minute a file) unless
 * told otherwise, so that nothing a test reads finishes on its own.
 */
export const startEmulator = async (options: Parameters<typeof Emulator.make>[0] = {}): Promise<RunningEmulator> => {
  const scope = Effect.runSync(Scope.make())
  const emulator = await Effect.runPromise(Emulator.make({ fileMillis: 60_000, ...options }).pipe(Scope.extend(scope)))
  return { emulator, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}

/** A vector store with one batch of `files` files (`file-0`, `file-1`, …), made directly in the store. */
export const seedBatch = async (emulator: Emulator.EmulatorService, files: number | ReadonlyArray<string> = 2) => {
  const vs = await Effect.runPromise(emulator.store.createVectorStore("test"))
  const vectorStoreId = vs["id"] as string
  const fileIds = typeof files === "number" ? Array.from({ length: files }, (_, i) => `file-${i}`) : files
  const batch = await Effect.runPromise(Effect.orDie(emulator.store.createBatch(vectorStoreId, fileIds)))
  return { vectorStoreId, batchId: batch["id"] as string }
}

/** The emulator's request log now. */
export const requestsOf = (emulator: Emulator.EmulatorService): Promise<ReadonlyArray<RequestLog.RequestLogEntry>> =>
  Effect.runPromise(emulator.requests)

/** Resolves once `count` requests are kept waiting by `hold` faults. */
export const untilHeld = (emulator: Emulator.EmulatorService, count: number) =>
  eventually(`${count} held upstream requests`, async () => (await Effect.runPromise(emulator.held)) >= count)

/** Resolves once a request the emulator received matches (answered or not). */
export const untilRequest = (
  emulator: Emulator.EmulatorService,
  what: string,
  matches: (entry: RequestLog.RequestLogEntry) => boolean
) => eventually(what, async () => (await requestsOf(emulator)).find(matches))

/** Runs an emulator Effect (faults, progress, release) from a promise-based test. */
export const run = <A>(effect: Effect.Effect<A>): Promise<A> => Effect.runPromise(effect)

/**
 * The emulator as a layer whose batches move only when a test advances them
 * (`emulator.progress.advance`), so that no verdict races the machine.
 */
export const heldEmulatorLayer = (options: Parameters<typeof Emulator.layer>[0] = {}) =>
  Emulator.layer({ ...options, holdProgress: true })
