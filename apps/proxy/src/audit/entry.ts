/** A state-changing call's audit entry, from what handling it came to. */
import { hostname } from "node:os"
import type { Answer } from "../answers.js"
import type { AuditEntry } from "./record.js"

/** This process, as records name it. */
export const replica = `${hostname()}/${process.pid}`

const fieldsOf = (body: string): Record<string, unknown> => {
  try {
    const json = JSON.parse(body) as unknown
    return typeof json === "object" && json !== null ? json as Record<string, unknown> : {}
  } catch {
    return {}
  }
}

const text = (value: unknown): string | null => typeof value === "string" ? value : null

export const entryOf = (call: {
  readonly operation: string
  readonly key: string
  readonly vectorStoreId: string | undefined
  readonly batchId: string | undefined
  readonly fileId: string | undefined
  readonly requestId: string
  readonly traceId: string | undefined
  readonly answer: Answer
  readonly upstreamRequestId: string | undefined
  readonly attempts: number | undefined
  readonly coalesced: boolean | undefined
}): AuditEntry => {
  const body = fieldsOf(call.answer.body)
  const ok = call.answer.status < 400
  const error = ok ? undefined : body["error"] as Record<string, unknown> | undefined
  return {
    time: new Date().toISOString(),
    key: call.key,
    operation: call.operation,
    vector_store_id: call.vectorStoreId ?? null,
    // A create names its batch only in the answer; a detach or a delete names none.
    batch_id: call.batchId ?? (ok && call.fileId === undefined ? text(body["id"]) : null),
    ...(call.fileId !== undefined ? { file_id: call.fileId } : {}),
    request_id: call.requestId,
    trace_id: call.traceId ?? null,
    status: call.answer.status,
    batch_status: ok ? text(body["status"]) : null,
    error_type: error === undefined ? null : text(error["type"]) ?? text(error["code"]),
    upstream_request_id: call.upstreamRequestId ?? null,
    attempts: call.attempts ?? 0,
    coalesced: call.coalesced ?? false,
    replica
  }
}
