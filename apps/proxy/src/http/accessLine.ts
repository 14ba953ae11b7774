/** What a request's access log line says: the request, its answer, and what was learnt while handling it. */
import type { SpanIds } from "../shared/model.js"
import type { Forwarded } from "../upstream/Upstream.js"

/** What a request's access log line says beyond the request itself, known as it is handled. */
export interface RequestFacts {
  readonly route: string
  readonly key?: string | undefined
  readonly vectorStoreId?: string | undefined
  readonly batchId?: string | undefined
  readonly fileId?: string | undefined
  readonly forwarded?: Forwarded | undefined
  /** The request's server span, while tracing is on. */
  readonly trace?: SpanIds | undefined
}

/** Status of the access log line of a request whose client went away before its answer (nginx's). */
export const clientClosed = 499

/** The access log line's fields; `path` only as far as the route makes it useful. */
export const accessLine = (
  requestId: string,
  method: string,
  path: string,
  status: number,
  latencyMs: number,
  facts: RequestFacts
) => {
  const fields: Record<string, unknown> = {
    request_id: requestId,
    method,
    path: facts.route === "other" ? path.slice(0, 200) : path,
    route: facts.route,
    status,
    latency_ms: Math.round(latencyMs * 100) / 100
  }
  if (facts.key !== undefined) fields["key"] = facts.key
  if (facts.vectorStoreId !== undefined) fields["vector_store_id"] = facts.vectorStoreId
  if (facts.batchId !== undefined) fields["batch_id"] = facts.batchId
  if (facts.fileId !== undefined) fields["file_id"] = facts.fileId
  const forwarded = facts.forwarded
  if (forwarded?.attempts !== undefined) fields["upstream_attempts"] = forwarded.attempts
  if (forwarded?.coalesced !== undefined) fields["coalesced"] = forwarded.coalesced
  if (forwarded?.upstreamRequestId !== undefined) fields["upstream_request_id"] = forwarded.upstreamRequestId
  if (status === clientClosed) fields["outcome"] = "client_closed"
  if (facts.trace !== undefined) {
    fields["trace_id"] = facts.trace.traceId
    fields["span_id"] = facts.trace.spanId
  }
  return fields
}
