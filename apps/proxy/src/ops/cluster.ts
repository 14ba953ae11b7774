/**
 * The metrics of a group of worker processes (`FILEBATCH_PROXY_WORKERS`) as one scrape:
 * whichever worker a scrape lands on asks the primary, which gathers every worker's
 * registry with prom-client's `AggregatorRegistry` (counters and histograms summed,
 * gauges by their own `aggregator`).
 */
import cluster from "node:cluster"
import { AggregatorRegistry, type Registry } from "prom-client"

const scrapeRequest = "filebatch:scrape"
const scrapeAnswer = "filebatch:scrape-answer"
const scrapeTimeoutMillis = 5_000

interface ScrapeMessage {
  readonly type: string
  readonly id: number
  readonly text?: string
}

const isScrapeMessage = (message: unknown, type: string): message is ScrapeMessage =>
  typeof message === "object" && message !== null && (message as { type?: unknown }).type === type

/** How `/metrics` gets its text: this process's registry, or in a worker the whole group's. */
export const makeScrape = (registry: Registry): () => Promise<string> => {
  if (!cluster.isWorker) return () => registry.metrics()
  // Constructed in a worker, it answers the primary's requests for this registry.
  new AggregatorRegistry()
  AggregatorRegistry.setRegistries([registry])
  const pending = new Map<number, (text: string) => void>()
  let next = 0
  process.on("message", (message: unknown) => {
    if (!isScrapeMessage(message, scrapeAnswer)) return
    pending.get(message.id)?.(message.text ?? "")
    pending.delete(message.id)
  })
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = next++
      const timer = setTimeout(() => {
        pending.delete(id)
        reject(new Error("the primary process did not send the workers' metrics"))
      }, scrapeTimeoutMillis)
      pending.set(id, (text) => {
        clearTimeout(timer)
        resolve(text)
      })
      process.send!({ type: scrapeRequest, id })
    })
}

/** In the primary: answers each worker's scrape with every worker's metrics. */
export const serveGroupMetrics = () => {
  const aggregator = new AggregatorRegistry()
  cluster.on("message", (worker, message: unknown) => {
    if (!isScrapeMessage(message, scrapeRequest)) return
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: scrapeAnswer, id: message.id, text }),
      (error: Error) =>
        worker.send({ type: scrapeAnswer, id: message.id, text: `# workers' metrics: ${error.message}\n` })
    )
  })
}
