/**
 * A create is not idempotent: core sends it again only where the failure proves nothing
 * was done. Both sides of the rule against the emulator's faults, with a cancel (which is
 * idempotent) beside each for contrast.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { FileBatchApi, FileBatchClient, FileBatchConfig } from "@filebatch/core"
import { type Fault, requestsOf, run, type RunningEmulator, seedBatch, startEmulator } from "@filebatch/testkit"
import { Effect, Either, Layer } from "effect"
import { createServer } from "node:net"

const apiKey = "sk-replay-test-0123456789"
let upstream: RunningEmulator

beforeAll(async () => {
  upstream = await startEmulator({ keys: [apiKey] })
}, 30_000)
afterAll(() => upstream?.close())

const clientAt = (baseUrl: string) =>
  FileBatchClient.layer.pipe(
    Layer.provide(FileBatchConfig.layer({ apiKey, baseUrl, maxRetries: 2, timeout: "1 second" })),
    Layer.provide(NodeHttpClient.layerUndici)
  )

/** One call through core: `ok`, or the tag of its error. */
const callOnce = async (
  baseUrl: string,
  call: (client: FileBatchClient.FileBatchClientService) => Effect.Effect<unknown, { _tag: string }>
) => {
  const result = await Effect.runPromise(
    Effect.flatMap(FileBatchClient.FileBatchClient, call).pipe(Effect.either, Effect.provide(clientAt(baseUrl)))
  )
  return Either.isRight(result) ? "ok" : result.left._tag
}

/** Arms `fault` once for the operation, then counts what reached the emulator and what it kept. */
const under = async (operation: Fault.Operation, fault: Fault.Fault) => {
  const { batchId, vectorStoreId } = await seedBatch(upstream.emulator)
  await run(upstream.emulator.addFaults([{ operation, vectorStoreId, fault }]))
  const before = (await requestsOf(upstream.emulator)).length
  const ref = { vectorStoreId, batchId }
  const outcome = await callOnce(upstream.emulator.url, (client) =>
    operation === "create_batch"
      ? client.execute(FileBatchApi.operations.createFileBatch, {
        ref: { vectorStoreId },
        payload: { file_ids: ["file-a", "file-b"] }
      })
      : client.execute(FileBatchApi.operations.cancel, { ref }))
  const sent = (await requestsOf(upstream.emulator)).slice(before).filter((entry) => entry.operation === operation)
  // A request took effect when it was answered, or when its answer was spoiled after it was done.
  const tookEffect = sent.filter((entry) => entry.status === 200 || entry.fault === "truncate").length
  return { outcome, sent: sent.length, tookEffect }
}

const quick = { retryAfterMs: 1 }

describe("a create is sent again only where nothing was done", () => {
  it("retried: a 429, or an answer whose x-should-retry says so", async () => {
    expect(await under("create_batch", { kind: "status", status: 429, ...quick })).toEqual({
      outcome: "ok",
      sent: 2,
      tookEffect: 1
    })
    expect(await under("create_batch", { kind: "status", status: 503, shouldRetry: true, ...quick })).toEqual({
      outcome: "ok",
      sent: 2,
      tookEffect: 1
    })
  })

  it("not retried where the first may have been accepted: a 5xx, a reset, a broken answer, a timeout", async () => {
    expect(await under("create_batch", { kind: "status", status: 503, ...quick })).toEqual({
      outcome: "ServerError",
      sent: 1,
      tookEffect: 0
    })
    expect(await under("create_batch", { kind: "status", status: 500 })).toEqual({
      outcome: "ServerError",
      sent: 1,
      tookEffect: 0
    })
    expect(await under("create_batch", { kind: "reset" })).toEqual({
      outcome: "ConnectionError",
      sent: 1,
      tookEffect: 0
    })
    // The batch was made, its answer lost: sending again would have made a second one.
    expect(await under("create_batch", { kind: "truncate" })).toEqual({
      outcome: "ConnectionError",
      sent: 1,
      tookEffect: 1
    })
    expect(await under("create_batch", { kind: "hang" })).toEqual({ outcome: "TimeoutError", sent: 1, tookEffect: 0 })
  })

  it("a cancel, idempotent, is retried after the same 5xx, reset and timeout", async () => {
    expect(await under("cancel", { kind: "status", status: 503, ...quick })).toMatchObject({ outcome: "ok", sent: 2 })
    expect(await under("cancel", { kind: "reset" })).toMatchObject({ outcome: "ok", sent: 2 })
    expect(await under("cancel", { kind: "hang" })).toMatchObject({ outcome: "ok", sent: 2 })
  })

  it("a connection that was never made proves nothing was sent: the create is retried", async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const { port } = server.address() as { port: number }
        server.close(() => resolve(port))
      })
    })
    let attempts = 0
    const result = await Effect.runPromise(
      Effect.flatMap(FileBatchClient.FileBatchClient, (client) =>
        client.execute(
          FileBatchApi.operations.createFileBatch,
          { ref: { vectorStoreId: "vs_1" }, payload: { file_ids: ["file-a"] } },
          { onAttempt: () => void attempts++ }
        )).pipe(Effect.either, Effect.provide(clientAt(`http://127.0.0.1:${port}/v1`)))
    )
    expect(Either.isLeft(result) && result.left).toMatchObject({ _tag: "ConnectionError", stage: "connect" })
    expect(attempts).toBe(3)
  })
})
