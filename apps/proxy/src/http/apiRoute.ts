/**
 * The API's routes: IDs, method, query, body, key and scope checked and decoded once, then
 * handed on typed to the upstream side. Nothing reaches the upstream before it is all checked.
 */
import { Operation } from "@filebatch/core"
import { type Context, Effect, Either } from "effect"
import * as Answers from "../answers.js"
import { type ClientKey, ClientKeys } from "../config/ClientKeys.js"
import { ProxyConfig } from "../config/ProxyConfig.js"
import { SpanExport } from "../ops/spans.js"
import { Upstream } from "../upstream/Upstream.js"
import type { RequestFacts } from "./accessLine.js"
import type { ApiMatch } from "./apiMatch.js"
import { AuditCalls } from "./auditCall.js"
import { type Handled, handled, type Incoming } from "./handled.js"
import { payloadOf, queryOf } from "./input.js"
import { refOf } from "./params.js"
import { bearer, headerOf } from "./request.js"
import { withServerSpan } from "./serverSpan.js"

/** A request's ref, query and body decoded, and its key known (not yet its scope). */
interface Checked {
  readonly operation: Operation.Any
  readonly input: Operation.Input<Operation.Any>
  readonly key: ClientKey
  readonly facts: RequestFacts
}

/** The key, its scope and the payload, once the body is read. */
const authoriseWith = (
  maxBodyBytes: number,
  keys: Context.Tag.Service<typeof ClientKeys>
) =>
(
  { request }: Incoming,
  operation: Operation.Any,
  ref: Operation.Ref,
  query: unknown,
  facts: RequestFacts,
  body: string | undefined
): Checked | Handled => {
  if (body === undefined) return handled(Answers.bodyTooLarge(maxBodyBytes), facts)
  const presented = bearer(headerOf(request, "authorization"))
  if (presented === undefined) return handled(Answers.missingKey(), facts)
  const key = keys.find(presented)
  if (key === undefined) return handled(Answers.unknownKey(presented), facts)
  const authorised: RequestFacts = { ...facts, key: key.name }
  if (!key.may(operation.name)) return handled(Answers.forbiddenOperation(operation.name), authorised)
  // A File's delete names no store: a File may sit in many, so a store scope cannot bound it.
  if (ref.vectorStoreId !== undefined && !key.allows(ref.vectorStoreId)) {
    return handled(Answers.forbiddenStore(ref.vectorStoreId), authorised)
  }
  const payload = operation.payload === undefined ? Either.right(undefined) : payloadOf(operation.payload, body)
  if (Either.isLeft(payload)) return handled(payload.left, authorised)
  const input = Operation.markDecoded({ ref, query, payload: payload.right })
  return { operation, input, key, facts: authorised }
}

export const makeApiHandler = Effect.gen(function*() {
  const settings = yield* ProxyConfig
  const keys = yield* ClientKeys
  const upstream = yield* Upstream
  const audit = yield* AuditCalls
  const tracing = (yield* SpanExport).on
  const done = (answer: Answers.Answer, facts: RequestFacts) => Effect.succeed(handled(answer, facts))
  const authorise = authoriseWith(settings.maxBodyBytes, keys)

  /** The call made upstream, audited; a client that goes away first is recorded as it goes. */
  const forward = (
    { closed, request, requestId }: Incoming,
    { facts, input, key, operation }: Checked,
    unsampledParent: string | undefined
  ) => {
    const traceState = tracing ? headerOf(request, "tracestate") : undefined
    return upstream.forward(key.name, { operation, input, traceState, unsampledParent }, requestId).pipe(
      Effect.flatMap((forwarded) =>
        audit.record(operation, requestId, handled(forwarded.answer, { ...facts, forwarded }))
      ),
      Effect.onInterrupt(() =>
        Effect.zipRight(Effect.sync(() => closed(facts)), audit.recordDeparted(operation, requestId, facts))
      )
    )
  }

  const handle = (incoming: Incoming, match: ApiMatch, unsampledParent?: string): Effect.Effect<Handled> => {
    const { request } = incoming
    const operation = match._tag === "Operation" ? match.operation : undefined
    const route = operation?.name ?? "other"
    // The IDs are checked once, completely (characters, length, prefixes, a swapped
    // pair), before anything is spent on the request.
    const ref = refOf(match.raw, operation)
    if ("status" in ref) return done(ref, { route })
    const facts: RequestFacts = { route, vectorStoreId: ref.vectorStoreId, batchId: ref.batchId, fileId: ref.fileId }
    if (operation === undefined) {
      const allowed = match._tag === "WrongMethod" ? match.allowed.join(", ") : ""
      return done(Answers.wrongMethod(request.method, incoming.path, allowed), facts)
    }
    const query = operation.query === undefined ? Either.right(undefined) : queryOf(operation.query, request.url)
    if (Either.isLeft(query)) return done(query.left, facts)
    const length = Number(headerOf(request, "content-length") ?? "0")
    if (!Number.isFinite(length) || length > settings.maxBodyBytes) {
      return done(Answers.bodyTooLarge(settings.maxBodyBytes), facts)
    }
    const withBody = (body: string | undefined): Effect.Effect<Handled> => {
      const checked = authorise(incoming, operation, ref, query.right, facts, body)
      if ("answer" in checked) {
        // From the key on the caller is known: a state-changing call is audited, refused or not.
        return checked.facts.key === undefined
          ? Effect.succeed(checked)
          : audit.record(operation, incoming.requestId, checked)
      }
      return forward(incoming, checked, unsampledParent)
    }
    // A body is read when the operation takes one, or when its length is unknown (chunked).
    return operation.payload !== undefined || request.headers["transfer-encoding"] !== undefined
      ? Effect.flatMap(request.bodyWithin(settings.maxBodyBytes), withBody)
      : withBody("")
  }

  return tracing
    ? (incoming: Incoming, match: ApiMatch) =>
      withServerSpan(
        incoming.request,
        incoming.requestId,
        incoming.path,
        match,
        (unsampledParent) => handle(incoming, match, unsampledParent)
      )
    : handle
})
