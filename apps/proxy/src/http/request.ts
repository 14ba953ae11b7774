/** Reading a request, and answers that are known at once or found by an Effect. */
import { Effect } from "effect"

/** What the proxy reads of a request; `bodyWithin` reads the body, undefined when it is over `maxBytes` or broken. */
export interface ProxyRequest {
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  readonly bodyWithin: (maxBytes: number) => Effect.Effect<string | undefined>
}

/** A header's value; the first one when it was sent several times. */
export const headerOf = (request: ProxyRequest, name: string): string | undefined => {
  const value = request.headers[name]
  return typeof value === "string" ? value : value?.[0]
}

export const bearer = (header: string | undefined): string | undefined => header?.match(/^Bearer\s+(\S+)\s*$/i)?.[1]

/** An answer known at once, or the Effect that finds it (only for work that must wait). */
export type NowOrLater<A> = A | Effect.Effect<A>

/** The answer as an Effect, whether it is known or still to be found. */
export const later = <A>(pending: NowOrLater<A>): Effect.Effect<A> =>
  Effect.isEffect(pending) ? pending : Effect.succeed(pending)

/** Goes on with what `pending` finds, at once when it is known. */
export const thenNowOrLater = <A, B>(pending: NowOrLater<A>, f: (a: A) => NowOrLater<B>): NowOrLater<B> =>
  Effect.isEffect(pending) ? Effect.flatMap(pending, (a) => later(f(a))) : f(pending)
