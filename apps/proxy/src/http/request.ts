/** A request as the proxy reads it, and the reply it writes. */
import type { Effect } from "effect"

/** What the proxy reads of a request; `bodyWithin` reads the body, undefined when it is over `maxBytes` or broken. */
export interface ProxyRequest {
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  readonly bodyWithin: (maxBytes: number) => Effect.Effect<string | undefined>
}

/** The answer to write. */
export interface ProxyReply {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: string
  readonly contentType: string
}

/** A header's value; the first one when it was sent several times. */
export const headerOf = (request: ProxyRequest, name: string): string | undefined => {
  const value = request.headers[name]
  return typeof value === "string" ? value : value?.[0]
}

export const bearer = (header: string | undefined): string | undefined => header?.match(/^Bearer\s+(\S+)\s*$/i)?.[1]
