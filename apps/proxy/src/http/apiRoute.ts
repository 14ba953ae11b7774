/** The API's routes: IDs, method, query, body, key and scope checked, then handed to the upstream side. */
import { FileBatchApi, PathTemplate } from "@filebatch/core"
import { Effect, Either } from "effect"
import * as Answers from "../answers.js"
import type { ProxySettings } from "../config/ProxyConfig.js"
import type { makeUpstream } from "../upstream/Upstream.js"
import type { RequestFacts } from "./accessLine.js"
import type { AuditCall } from "./auditCall.js"
import { type Handled, handled, type Incoming } from "./handled.js"
import { payloadOf, queryOf } from "./input.js"
import { refOf } from "./params.js"
import { bearer, headerOf, later, type NowOrLater, thenNowOrLater } from "./request.js"

/** The API's routes, from core's table of operations: one entry there is one route here. */
export const matchApi: (
  method: string,
  path: string
) => PathTemplate.Match<FileBatchApi.AnyOperation> | undefined = PathTemplate.router(FileBatchApi.operations, "/v1")

export type ApiMatch = PathTemplate.Match<FileBatchApi.AnyOperation>

/** Everything after routing, for one generic operation: nothing reaches the upstream before it is all checked. */
export const makeApiRoute = (
  settings: ProxySettings,
  forward: ReturnType<typeof makeUpstream>["forward"],
  tracing: boolean,
  audit: AuditCall
) =>
({ closed, request, requestId }: Incoming, match: ApiMatch): NowOrLater<Handled> => {
  const operation = match._tag === "Operation" ? match.operation : undefined
  const route = operation?.name ?? "other"
  // The IDs are checked once, completely (characters, length, prefixes, a swapped
  // pair), before anything is spent on the request.
  const ref = refOf(match.raw, operation)
  if ("status" in ref) return handled(ref, { route })
  const facts: RequestFacts = { route, vectorStoreId: ref.vectorStoreId, batchId: ref.batchId }
  if (operation === undefined) {
    const allowed = match._tag === "WrongMethod" ? match.allowed.join(", ") : ""
    return handled(Answers.wrongMethod(request.method, request.url.split("?")[0], allowed), facts)
  }
  const query = operation.query === undefined ? Either.right(undefined) : queryOf(operation.query, request.url)
  if (Either.isLeft(query)) return handled(query.left, facts)

  const length = Number(headerOf(request, "content-length") ?? "0")
  if (!Number.isFinite(length) || length > settings.maxBodyBytes) {
    return handled(Answers.bodyTooLarge(settings.maxBodyBytes), facts)
  }
  // A body is read when the operation takes one, or when its length is unknown (chunked).
  const bodyRead: NowOrLater<string | undefined> =
    operation.payload !== undefined || request.headers["transfer-encoding"] !== undefined
      ? request.bodyWithin(settings.maxBodyBytes)
      : ""

  return thenNowOrLater(bodyRead, (body): NowOrLater<Handled> => {
    if (body === undefined) return handled(Answers.bodyTooLarge(settings.maxBodyBytes), facts)
    const presented = bearer(headerOf(request, "authorization"))
    if (presented === undefined) return handled(Answers.missingKey(), facts)
    const key = settings.keyring.find(presented)
    if (key === undefined) return handled(Answers.unknownKey(presented), facts)
    const authorised: RequestFacts = { ...facts, key: key.name }
    // From here on the caller is known: a state-changing call is audited, whatever it comes to.
    if (!key.allows(ref.vectorStoreId)) {
      return audit.record(operation, requestId, handled(Answers.forbiddenStore(ref.vectorStoreId), authorised))
    }
    const payload = operation.payload === undefined ? Either.right(undefined) : payloadOf(operation.payload, body)
    if (Either.isLeft(payload)) return audit.record(operation, requestId, handled(payload.left, authorised))
    const input = { ref, query: query.right, payload: payload.right }
    const traceState = tracing ? headerOf(request, "tracestate") : undefined
    const answered = forward(key.name, { operation, input, traceState }, requestId).pipe(
      Effect.flatMap((forwarded) =>
        later(audit.record(operation, requestId, handled(forwarded.answer, { ...authorised, forwarded })))
      )
    )
    return Effect.onInterrupt(
      answered,
      () =>
        Effect.zipRight(Effect.sync(() => closed(authorised)), audit.recordDeparted(operation, requestId, authorised))
    )
  })
}
