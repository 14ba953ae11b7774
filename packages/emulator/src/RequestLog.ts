/**
 * What reached the emulator, for tests to assert on (for example, that a proxy sent
 * nothing upstream). Secrets are redacted before anything is recorded.
 *
 * @since 0.1.0
 */

/**
 * One request.
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestLogEntry {
  /** ISO time of arrival on the emulator's Clock. */
  readonly time: string
  readonly method: string
  /** The path as sent, still encoded, with its query. */
  readonly path: string
  readonly operation: string | undefined
  readonly vectorStoreId: string | undefined
  readonly batchId: string | undefined
  /** The file a detach or a delete names. */
  readonly fileId?: string | undefined
  readonly requestId: string
  /** Request headers; `authorization` shows only the masked key. */
  readonly headers: Readonly<Record<string, string>>
  /** The status answered, `reset`, or `pending` while it hangs. */
  status: number | "reset" | "pending"
  /** The fault injected, if any. */
  fault: string | undefined
}

const secretHeaders = new Set(["authorization", "openai-api-key", "api-key", "x-api-key", "cookie"])

/**
 * Copies headers with secrets masked: only the scheme and the last four characters stay.
 *
 * @since 0.1.0
 * @category getters
 */
export const redactHeaders = (headers: Readonly<Record<string, string>>): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (!secretHeaders.has(name.toLowerCase())) {
      out[name] = value
      continue
    }
    const [scheme, token] = value.includes(" ") ? value.split(/\s+/, 2) : ["", value]
    out[name] = `${scheme ? `${scheme} ` : ""}…${token && token.length > 8 ? token.slice(-4) : ""} (redacted)`
  }
  return out
}
