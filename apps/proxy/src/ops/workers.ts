/**
 * `FILEBATCH_PROXY_WORKERS=N`: a primary process that runs N proxy processes on one port
 * (node:cluster; the primary accepts and hands connections round-robin). Workers that
 * share the rate limit and cancels must share Redis, so N > 1 needs it. SIGTERM or SIGINT
 * is passed on: each worker drains as one proxy does, and the primary exits when all have;
 * a second signal stops them at once. A worker that dies while serving is replaced; one
 * that dies before it listened (its start failed, and it said why) stops the group. Each
 * worker has a slot (1 to N, in FILEBATCH_PROXY_WORKER_SLOT) that its replacement takes over,
 * with the audit spool the dead one may have left.
 */
import cluster, { type Worker } from "node:cluster"
import { serveGroupMetrics } from "./cluster.js"

type Log = (level: string, message: string, fields: Readonly<Record<string, unknown>>) => void

/** Runs the workers until they have all stopped; resolves with the exit status. */
export const runWorkers = (count: number, log: Log): Promise<number> =>
  new Promise((resolve) => {
    serveGroupMetrics()
    const listening = new Set<number>()
    const slots = new Map<number, number>()
    const fork = (slot: number) => {
      const worker = cluster.fork({ FILEBATCH_PROXY_WORKER_SLOT: String(slot) })
      slots.set(worker.id, slot)
    }
    let stopping: NodeJS.Signals | undefined
    let status = 0
    // A worker whose process has exited may still be listed (until its IPC channel closes).
    const alive = () =>
      Object.values(cluster.workers ?? {}).filter((worker): worker is Worker =>
        worker !== undefined && !worker.isDead()
      )
    const stop = (signal: NodeJS.Signals) => {
      if (stopping !== undefined) {
        log("warning", "stopping workers at once", { signal })
        for (const worker of alive()) worker.process.kill("SIGKILL")
        return
      }
      stopping = signal
      log("info", "stopping workers", { signal, workers: alive().length })
      for (const worker of alive()) worker.process.kill("SIGTERM")
    }
    process.on("SIGTERM", () => stop("SIGTERM"))
    process.on("SIGINT", () => stop("SIGINT"))
    cluster.on("listening", (worker) => listening.add(worker.id))
    cluster.on("exit", (worker, code, signal) => {
      const started = listening.delete(worker.id)
      if (stopping === undefined && !started) {
        status = 1
        log("error", "a worker failed to start; stopping the others", { worker: worker.id, code, signal })
        stop("SIGTERM")
      } else if (stopping === undefined) {
        log("error", "worker exited; starting another", { worker: worker.id, code, signal })
        fork(slots.get(worker.id)!)
      } else if (code !== 0 && status === 0) {
        status = code ?? 1
      }
      if (stopping !== undefined && alive().length === 0) {
        log("info", "workers stopped", {})
        resolve(status)
      }
    })
    for (let slot = 1; slot <= count; slot++) fork(slot)
    log("info", "workers started", { workers: count })
  })
