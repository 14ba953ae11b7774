import { type Emulator, EmulatorConfig } from "@filebatch/emulator"
import { Effect } from "effect"

export const key = EmulatorConfig.defaultKey

export interface Reply {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  readonly json: unknown
}

/** A request to the emulator with the given key (or none); never throws on an HTTP status. */
export const call = (
  emulator: Emulator.EmulatorService,
  method: string,
  path: string,
  options: { body?: unknown; key?: string | null; timeoutMs?: number } = {}
): Effect.Effect<Reply, Error> =>
  Effect.tryPromise({
    try: async () => {
      const headers: Record<string, string> = { "content-type": "application/json" }
      const token = options.key === undefined ? key : options.key
      if (token !== null) headers["authorization"] = `Bearer ${token}`
      const origin = emulator.url.replace(/\/v1$/, "")
      const response = await fetch(`${origin}${path}`, {
        method,
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000)
      })
      const text = await response.text()
      let json: unknown = undefined
      try {
        json = JSON.parse(text)
      } catch {
        // left undefined: some faults answer with non-JSON on purpose
      }
      return { status: response.status, headers: response.headers, text, json }
    },
    catch: (error) => error as Error
  })

/** Creates a vector store and a batch of `files` files over HTTP (IDs `file-0`…, or as given). */
export const seed = (emulator: Emulator.EmulatorService, files: number | ReadonlyArray<string> = 20) =>
  Effect.gen(function*() {
    const store = yield* call(emulator, "POST", "/v1/vector_stores", { body: { name: "test" } })
    const vectorStoreId = (store.json as { id: string }).id
    const fileIds = typeof files === "number" ? Array.from({ length: files }, (_, i) => `file-${i}`) : files
    const batch = yield* call(emulator, "POST", `/v1/vector_stores/${vectorStoreId}/file_batches`, {
      body: { file_ids: fileIds }
    })
    const batchId = (batch.json as { id: string }).id
    return {
      vectorStoreId,
      batchId,
      storePath: `/v1/vector_stores/${vectorStoreId}`,
      batchPath: `/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}`
    }
  })
