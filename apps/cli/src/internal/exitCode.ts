import { ErrorTable, FileBatchError } from "@filebatch/core"

/**
 * Exit statuses, documented in the README. Each class of failure a script may want to
 * handle differently has its own.
 */
export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  auth: 3,
  notFound: 4,
  rateLimited: 5,
  upstream: 6,
  partial: 7
} as const

/** Each status in a few words, for a command's `--help` (the README's table says more). */
export const exitCodeMeanings: ReadonlyArray<readonly [number, string]> = [
  [ExitCode.ok, "done"],
  [ExitCode.usage, "usage"],
  [ExitCode.auth, "authentication"],
  [ExitCode.notFound, "not found"],
  [ExitCode.rateLimited, "rate limited"],
  [ExitCode.upstream, "upstream, transport or time"],
  [ExitCode.partial, "bulk: some failed"],
  [130, "interrupted"]
]

type AnyError = FileBatchError.FileBatchError | FileBatchError.WaitTimeoutError

/** The exit status of each kind of failure in core's error table. */
const exitCodes: Readonly<Record<ErrorTable.Kind, number>> = {
  usage: ExitCode.usage,
  auth: ExitCode.auth,
  notFound: ExitCode.notFound,
  rateLimited: ExitCode.rateLimited,
  upstream: ExitCode.upstream
}

export const exitCodeOf = (error: AnyError): number => exitCodes[ErrorTable.byError[error._tag].kind]

/** A failure as the JSON output carries it; JSON.stringify leaves out the status and request id when unknown. */
export const errorJson = (error: AnyError) => ({
  type: error._tag,
  message: error.message,
  status: FileBatchError.statusOf(error),
  request_id: FileBatchError.requestIdOf(error)
})

/** One line: what kind of failure, the message, and the HTTP status and request id when known. */
export const describeError = (error: AnyError): string => {
  const status = FileBatchError.statusOf(error)
  const requestId = FileBatchError.requestIdOf(error)
  const details: Array<string> = []
  // Said once: some messages already name the status.
  if (status !== undefined && !error.message.includes(`HTTP ${status}`)) details.push(`HTTP ${status}`)
  if (requestId !== undefined) details.push(`request ${requestId}`)
  const suffix = details.length > 0 ? ` (${details.join(", ")})` : ""
  return `${ErrorTable.byError[error._tag].label}: ${error.message}${suffix}`
}
