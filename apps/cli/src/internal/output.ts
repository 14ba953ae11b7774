import type { FileBatch } from "@filebatch/core"

type Batch = FileBatch.VectorStoreFileBatch

const useColor = (stream: NodeJS.WriteStream) =>
  stream.isTTY === true && process.env["NO_COLOR"] === undefined && process.env["TERM"] !== "dumb"

const paint = (stream: NodeJS.WriteStream, code: number, text: string) =>
  useColor(stream) ? `\x1b[${code}m${text}\x1b[0m` : text

const statusColor: Record<string, number> = { cancelled: 33, completed: 32, failed: 31 }

export const formatStatus = (stream: NodeJS.WriteStream, status: string) =>
  paint(stream, statusColor[status] ?? 36, status)

export const formatCounts = (counts: FileBatch.FileCounts) =>
  `completed ${counts.completed} · failed ${counts.failed} · cancelled ${counts.cancelled} · ` +
  `in progress ${counts.in_progress} · total ${counts.total}`

/** `vsfb_… (vs_…): cancelled — completed 3 · …` */
export const summary = (stream: NodeJS.WriteStream, batch: Batch) =>
  `${batch.id} (${batch.vector_store_id}): ${formatStatus(stream, batch.status)} — ${formatCounts(batch.file_counts)}`

const barWidth = 24

const bar = (counts: FileBatch.FileCounts) => {
  if (counts.total === 0) return "░".repeat(barWidth)
  const cell = (n: number) => Math.round((n / counts.total) * barWidth)
  const done = cell(counts.completed)
  const failed = cell(counts.failed)
  const cancelled = Math.min(barWidth - done - failed, cell(counts.cancelled))
  return "█".repeat(done) + "▓".repeat(failed) + "▒".repeat(cancelled) +
    "░".repeat(Math.max(0, barWidth - done - failed - cancelled))
}

/**
 * Shows how a followed batch progresses: a redrawn bar on a terminal, one plain line
 * per change otherwise. Progress goes to stderr so stdout stays the result.
 */
export const makeProgress = (stream: NodeJS.WriteStream) => {
  const tty = stream.isTTY === true
  let last = ""
  let drawn = false
  return {
    update: (batch: Batch) => {
      const counts = batch.file_counts
      const key = `${batch.status} ${formatCounts(counts)}`
      if (key === last) return
      last = key
      if (tty) {
        const settled = counts.total - counts.in_progress
        const percent = counts.total === 0 ? 100 : Math.floor((settled / counts.total) * 100)
        stream.write(
          `\r\x1b[2K${batch.id} ${bar(counts)} ${String(percent).padStart(3)}% ${
            formatStatus(stream, batch.status)
          } · ${formatCounts(counts)}`
        )
        drawn = true
      } else {
        stream.write(`${new Date().toISOString()} ${batch.id} ${batch.status}: ${formatCounts(counts)}\n`)
      }
    },
    done: () => {
      if (drawn) stream.write("\n")
      drawn = false
    }
  }
}
