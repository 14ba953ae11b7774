/** What handling a request comes to: its answer and what its access log line says of it. */
import { ProxyContract } from "@filebatch/core"
import type * as Answers from "../answers.js"
import type { RequestFacts } from "./accessLine.js"
import type { ProxyRequest } from "./request.js"

/** A request as the app handles it; `closed` logs it with what is known if its client goes away first. */
export interface Incoming {
  readonly request: ProxyRequest
  /** The path without its query. */
  readonly path: string
  readonly requestId: string
  readonly closed: (facts: RequestFacts) => void
}

/** An answer to write, with its content type when not JSON. */
export type Answer = Answers.Answer & { readonly contentType?: string }

/** What handling a request came to: the answer, and the facts for its log line. */
export interface Handled {
  readonly answer: Answer
  readonly facts: RequestFacts
}

export const handled = (answer: Answer, facts: RequestFacts): Handled => ({ answer, facts })

// RequestFacts of the routes that learn nothing while they are handled, made once.
const factsOf = (route: string): RequestFacts => ({ route })
export const other = factsOf("other")
/** The facts of each of the proxy's own routes, by its name (a docs page's files count as `docs`). */
export const routeFacts = Object.fromEntries(
  Object.keys(ProxyContract.routes).map((name) => [name, factsOf(name === "docsFile" ? "docs" : name)])
) as { readonly [K in ProxyContract.RouteName]: RequestFacts }
