import { NodeHttpClient } from "@effect/platform-node"
import { type FileBatch, FileBatchApi, FileBatchClient, FileBatchConfig, type FileBatchError } from "@filebatch/core"
import type { Emulator, Fault } from "@filebatch/emulator"
import * as Testkit from "@filebatch/testkit"
import { Effect, type Either, Layer } from "effect"

export const upstreamKey = "sk-reliability-UPSTREAM-5e1f"
export const clientKey = "sk-reliability-client-77"

/**
 * Settings shared by the three subjects, so that their outcomes can be compared. The
 * attempt timeout is far above any answer's time on a loaded machine, so that only an
 * injected hang times out (`hangTimeoutMs` is for those, to keep them short).
 */
export const retries = 1
export const timeoutMs = 10_000
export const hangTimeoutMs = 400

export const startEmulator = (options: Parameters<typeof Testkit.startEmulator>[0] = {}) =>
  Testkit.startEmulator({ keys: [upstreamKey], ...options })

export const seed = (emulator: Emulator.EmulatorService) => Testkit.seedBatch(emulator)

export const arm = (emulator: Emulator.EmulatorService, rules: ReadonlyArray<Fault.FaultRule>) =>
  Effect.runPromise(emulator.addFaults(rules))

/** Core, in-process, with the real node HTTP client. */
export const coreCancel = (
  emulator: Emulator.EmulatorService,
  ref: { vectorStoreId: string; batchId: string },
  timeout = timeoutMs,
  apiKey = upstreamKey
): Promise<
  Either.Either<FileBatchClient.OperationResponse<FileBatch.VectorStoreFileBatch>, FileBatchError.FileBatchError>
> =>
  Effect.runPromise(
    Effect.flatMap(FileBatchClient.FileBatchClient, (client) => client.execute(FileBatchApi.operations.cancel, { ref }))
      .pipe(
        Effect.provide(
          FileBatchClient.layer.pipe(
            Layer.provide(
              FileBatchConfig.layer({ apiKey, baseUrl: emulator.url, maxRetries: retries, timeout })
            ),
            Layer.provide(NodeHttpClient.layerUndici),
            Layer.orDie
          )
        ),
        Effect.either
      )
  )

export const runCli = (args: ReadonlyArray<string>, env: Record<string, string>) => Testkit.runCli(args, env)

export type RunningProxy = Testkit.RunningProxy

/** The bundled proxy in front of `upstreamUrl`, with the settings the three subjects share. */
export const startProxy = (upstreamUrl: string, env: Record<string, string> = {}): Promise<RunningProxy> =>
  Testkit.startProxy({
    upstreamUrl,
    upstreamKey,
    clients: [{ name: "reliability", key: clientKey, vectorStores: "*" }],
    env: { FILEBATCH_MAX_RETRIES: String(retries), FILEBATCH_TIMEOUT: `${timeoutMs} millis`, ...env }
  })

export const proxyCancel = async (proxyUrl: string, ref: { vectorStoreId: string; batchId: string }) => {
  const response = await fetch(`${proxyUrl}/v1/vector_stores/${ref.vectorStoreId}/file_batches/${ref.batchId}/cancel`, {
    method: "POST",
    headers: { authorization: `Bearer ${clientKey}` },
    signal: AbortSignal.timeout(120_000)
  })
  const text = await response.text()
  return { status: response.status, text }
}
