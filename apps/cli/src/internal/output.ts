import type { FileBatch } from "@filebatch/core"

type Batch = FileBatch.VectorStoreFileBatch

/** How results are printed: lines for people, the API's JSON (NDJSON when several), or bare IDs for pipes. */
export type Output = "table" | "json" | "ids"

export const outputs: ReadonlyArray<Output> = ["table", "json", "ids"]

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

/** Cuts plain text to `width` characters, marking the cut. */
const fit = (text: string, width: number) => text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`

/**
 * Shows how a followed batch progresses: a bar redrawn in place on a terminal — cut to
 * the terminal's width, so that it never wraps (a wrapped line cannot be redrawn), and
 * redrawn when the terminal is resized — and one plain line per change otherwise.
 * Progress goes to stderr so stdout stays the result.
 */
export const makeProgress = (stream: NodeJS.WriteStream) => {
  const tty = stream.isTTY === true
  let last = ""
  let current: Batch | undefined
  const draw = () => {
    if (current === undefined) return
    const counts = current.file_counts
    const settled = counts.total - counts.in_progress
    const percent = counts.total === 0 ? 100 : Math.floor((settled / counts.total) * 100)
    const plain = `${current.id} ${bar(counts)} ${String(percent).padStart(3)}% ${current.status} · ${
      formatCounts(counts)
    }`
    // One column spare: writing the last column makes some terminals wrap at once.
    const line = fit(plain, Math.max(20, (stream.columns ?? 80) - 1))
    const status = ` ${current.status}`
    const at = line.indexOf(status, current.id.length + barWidth)
    stream.write(
      `\r\x1b[2K${
        at < 0 ? line : line.slice(0, at + 1) + formatStatus(stream, current.status) + line.slice(at + status.length)
      }`
    )
  }
  const onResize = () => draw()
  if (tty) stream.on("resize", onResize)
  return {
    update: (batch: Batch) => {
      const key = `${batch.status} ${formatCounts(batch.file_counts)}`
      if (key === last) return
      last = key
      if (tty) {
        current = batch
        draw()
      } else {
        stream.write(`${new Date().toISOString()} ${batch.id} ${batch.status}: ${formatCounts(batch.file_counts)}\n`)
      }
    },
    done: () => {
      if (tty) stream.off("resize", onResize)
      if (current !== undefined) stream.write("\n")
      current = undefined
    }
  }
}
