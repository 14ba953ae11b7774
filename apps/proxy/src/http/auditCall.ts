/**
 * The audit record of a state-changing call (a POST: cancel, create) by a known client key,
 * written before its answer (or, when its client goes away first, as it goes). A record that cannot be written is logged whole at error level
 * and counted, and the answer still goes out: the call has been made upstream, and hiding
 * its outcome from the caller would only make it try again.
 */
import type { Operation } from "@filebatch/core"
import { Effect } from "effect"
import { type AuditTrailService, none } from "../audit/AuditTrail.js"
import { entryOf } from "../audit/entry.js"
import type { Metrics } from "../ops/Metrics.js"
import { currentSpanIds } from "../ops/spans.js"
import { clientClosed, type RequestFacts } from "./accessLine.js"
import type { Handled } from "./handled.js"
import { later, type NowOrLater } from "./request.js"

export interface AuditCall {
  /** The call's record written, then its answer; the answer at once when it is not recorded. */
  readonly record: (operation: Operation.Any, requestId: string, handled: Handled) => NowOrLater<Handled>
  /**
   * The record of a call whose client went away before its answer (status 499, `client_closed`): leaving early
   * is no way around the trail, and the call may have reached OpenAI.
   */
  readonly recordDeparted: (operation: Operation.Any, requestId: string, facts: RequestFacts) => Effect.Effect<void>
}

const departedAnswer = {
  status: clientClosed,
  headers: {},
  body: JSON.stringify({ error: { type: "client_closed", message: "The client went away before its answer." } })
}

export const makeAuditCall = (trail: AuditTrailService, metrics: Metrics): AuditCall => {
  // State-changing calls (POST), while a trail is kept.
  const records = (operation: Operation.Any) => trail !== none && operation.method !== "GET"
  const record = (operation: Operation.Any, requestId: string, handled: Handled): NowOrLater<Handled> => {
    const { facts } = handled
    if (!records(operation) || facts.key === undefined || facts.vectorStoreId === undefined) return handled
    const entry = entryOf({
      operation: operation.name,
      key: facts.key,
      vectorStoreId: facts.vectorStoreId,
      batchId: facts.batchId,
      requestId,
      traceId: currentSpanIds()?.traceId,
      answer: handled.answer,
      upstreamRequestId: facts.forwarded?.upstreamRequestId,
      attempts: facts.forwarded?.attempts,
      coalesced: facts.forwarded?.coalesced
    })
    return trail.append(entry).pipe(
      Effect.matchEffect({
        onSuccess: () => Effect.sync(() => metrics.auditWritten.inc()),
        onFailure: (error) =>
          Effect.zipRight(
            Effect.sync(() => metrics.auditFailures.inc()),
            Effect.logError("audit record not written").pipe(
              Effect.annotateLogs({ error: error.message, record: entry })
            )
          )
      }),
      Effect.as(handled)
    )
  }
  const recordDeparted = (operation: Operation.Any, requestId: string, facts: RequestFacts) =>
    Effect.suspend(() => Effect.asVoid(later(record(operation, requestId, { answer: departedAnswer, facts }))))
  return { record, recordDeparted }
}
