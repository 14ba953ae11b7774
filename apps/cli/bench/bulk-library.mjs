// The library's side of bench/bulk.mjs as a user's script would run it: a new process that
// cancels every pair of the file with core's `cancelMany` (same HTTP client and concurrency
// as the CLI) and prints how many were cancelled.
import { NodeHttpClient } from "@effect/platform-node"
import { cancelMany, FileBatchClient, FileBatchConfig } from "@filebatch/core"
import { Effect, Layer, Redacted, Stream } from "effect"
import { readFileSync } from "node:fs"

const [input, concurrency] = process.argv.slice(2)
const refs = readFileSync(input, "utf8").trim().split("\n").map((line) => {
  const [vectorStoreId, batchId] = line.split(" ")
  return { vectorStoreId, batchId }
})
const client = FileBatchClient.layer.pipe(
  Layer.provide(FileBatchConfig.layer({
    apiKey: Redacted.make(process.env.OPENAI_API_KEY),
    baseUrl: process.env.OPENAI_BASE_URL
  })),
  Layer.provide(
    NodeHttpClient.layerWithoutAgent.pipe(Layer.provide(NodeHttpClient.makeAgentLayer({ keepAlive: true })))
  )
)
const cancelled = await Effect.runPromise(
  cancelMany(refs, { concurrency: Number(concurrency) }).pipe(
    Stream.runFold(0, (n, outcome) => (outcome._tag === "Cancelled" ? n + 1 : n)),
    Effect.provide(client)
  )
)
process.stdout.write(`${cancelled}\n`)
