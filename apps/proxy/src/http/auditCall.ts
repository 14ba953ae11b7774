/**
 * The audit record of a state-changing call (a POST or a DELETE: cancel, create, detach, delete) by a known client key,
 * written before its answer (or, when its client goes away first, as it goes). A record that cannot be written is logged whole at error level
 * and counted, and the answer still goes out: the call has been made upstream, and hiding
 * its outcome from the caller would only make it try again.
 */
import type { Operation } from "@filebatch/core"
import { Context, Effect, Layer } from "effect"
import { errorAnswer } from "../answers.js"
import { AuditTrail, type AuditTrailService, none } from "../audit/AuditTrail.js"
import { entryOf } from "../audit/entry.js"
import { Metrics, type MetricsService } from "../ops/Metrics.js"
import { currentSpanIds } from "../ops/spans.js"
import { clientClosed, type RequestFacts } from "./accessLine.js"
import type { Handled } from "./handled.js"

export interface AuditCallsService {
  /** The call's record written, then its answer; the answer as it is when it is not recorded. */
  readonly record: (operation: Operation.Any, requestId: string, handled: Handled) => Effect.Effect<Handled>
  /**
   * The record of a call whose client went away before its answer (status 499, `client_closed`): leaving early
   * is no way around the trail, and the call may have reached OpenAI.
   */
  readonly recordDeparted: (operation: Operation.Any, requestId: string, facts: RequestFacts) => Effect.Effect<void>
}

export class AuditCalls extends Context.Tag("@filebatch/proxy/AuditCalls")<AuditCalls, AuditCallsService>() {}

const departedAnswer = errorAnswer(clientClosed, "The client went away before its answer.", { type: "client_closed" })

export const make = (trail: AuditTrailService, metrics: MetricsService): AuditCallsService => {
  // State-changing calls (POST, DELETE), while a trail is kept.
  const records = (operation: Operation.Any) => trail !== none && operation.method !== "GET"
  const record = (operation: Operation.Any, requestId: string, handled: Handled): Effect.Effect<Handled> => {
    const { facts } = handled
    if (!records(operation) || facts.key === undefined) {
      return Effect.succeed(handled)
    }
    const entry = entryOf({
      operation: operation.name,
      key: facts.key,
      vectorStoreId: facts.vectorStoreId,
      batchId: facts.batchId,
      fileId: facts.fileId,
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
    Effect.suspend(() => Effect.asVoid(record(operation, requestId, { answer: departedAnswer, facts })))
  return { record, recordDeparted }
}

export const layer: Layer.Layer<AuditCalls, never, AuditTrail | Metrics> = Layer.effect(
  AuditCalls,
  Effect.zipWith(AuditTrail, Metrics, make)
)
