import { FileBatchError } from "@filebatch/core"

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

type AnyError = FileBatchError.FileBatchError | FileBatchError.WaitTimeoutError

const kinds: Record<AnyError["_tag"], { readonly label: string; readonly code: number }> = {
  InvalidArgumentError: { label: "invalid argument", code: ExitCode.usage },
  InvalidRequestError: { label: "invalid request", code: ExitCode.usage },
  AuthenticationError: { label: "authentication failed", code: ExitCode.auth },
  PermissionDeniedError: { label: "permission denied", code: ExitCode.auth },
  NotFoundError: { label: "not found", code: ExitCode.notFound },
  RateLimitError: { label: "rate limited", code: ExitCode.rateLimited },
  ConflictError: { label: "conflict", code: ExitCode.upstream },
  ServerError: { label: "server error", code: ExitCode.upstream },
  TimeoutError: { label: "timed out", code: ExitCode.upstream },
  ConnectionError: { label: "connection failed", code: ExitCode.upstream },
  UnexpectedResponseError: { label: "unexpected response", code: ExitCode.upstream },
  WaitTimeoutError: { label: "still running", code: ExitCode.upstream }
}

export const exitCodeOf = (error: AnyError): number => kinds[error._tag].code

/** One line: what kind of failure, the message, and the HTTP status and request id when known. */
export const describeError = (error: AnyError): string => {
  const status = FileBatchError.statusOf(error)
  const requestId = FileBatchError.requestIdOf(error)
  const details: Array<string> = []
  // Said once: some messages already name the status.
  if (status !== undefined && !error.message.includes(`HTTP ${status}`)) details.push(`HTTP ${status}`)
  if (requestId !== undefined) details.push(`request ${requestId}`)
  const suffix = details.length > 0 ? ` (${details.join(", ")})` : ""
  return `${kinds[error._tag].label}: ${error.message}${suffix}`
}
