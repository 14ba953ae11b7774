/**
 * A port's routes: on the public port the API's operations (core's table) first, then the
 * proxy's own routes of `ProxyContract.routes` served on that port. An own route answers
 * GET and HEAD, with its query decoded by its schema before its handler runs.
 */
import { ProxyContract } from "@filebatch/core"
import { Effect, Either } from "effect"
import * as Answers from "../answers.js"
import { ProxyConfig } from "../config/ProxyConfig.js"
import { type ApiMatch, matchApi } from "./apiMatch.js"
import { type Handled, handled, type Incoming, other, routeFacts } from "./handled.js"
import { queryOf } from "./input.js"
import type { OwnHandlers } from "./ownRoutes.js"

export type Route = (incoming: Incoming) => Effect.Effect<Handled>

/** An own route: its method and query checked, then its handler. */
const ownRoute = (
  name: ProxyContract.RouteName,
  route: ProxyContract.Route<unknown>,
  handlers: OwnHandlers
): Route => {
  const handler = handlers[name] as (incoming: Incoming, query: unknown) => Effect.Effect<Handled>
  const facts = routeFacts[name]
  return (incoming) => {
    const { method } = incoming.request
    if (method !== "GET" && method !== "HEAD") {
      return Effect.succeed(handled(Answers.wrongMethod(method, incoming.path, "GET"), facts))
    }
    if (route.query === undefined) return handler(incoming, undefined)
    const query = queryOf(route.query, incoming.request.url, "error")
    return Either.isLeft(query) ? Effect.succeed(handled(query.left, facts)) : handler(incoming, query.right)
  }
}

/** `{name}` segments match one segment each. */
const patternOf = (path: string) => new RegExp(`^${path.replace(/\{\w+\}/g, "[^/]+")}$`)

/**
 * The routes of a port: `api` handles the API's operations (the public port only), `handlers`
 * the contract's own routes served on the port.
 */
export const makeRouter = (
  port: "public" | "admin",
  handlers: OwnHandlers,
  api?: (incoming: Incoming, match: ApiMatch) => Effect.Effect<Handled>
) =>
  Effect.gen(function*() {
    const settings = yield* ProxyConfig
    const exact = new Map<string, Route>()
    const templated: Array<{ readonly pattern: RegExp; readonly route: Route }> = []
    for (
      const [name, route] of Object.entries(ProxyContract.routes) as Array<
        [ProxyContract.RouteName, ProxyContract.Route<unknown>]
      >
    ) {
      if (!ProxyContract.servedOn(route, port, settings.adminPort !== undefined)) continue
      const served = ownRoute(name, route, handlers)
      if (route.path.includes("{")) templated.push({ pattern: patternOf(route.path), route: served })
      else exact.set(route.path, served)
    }
    return (incoming: Incoming): Effect.Effect<Handled> => {
      if (api !== undefined) {
        const match = matchApi(incoming.request.method, incoming.path)
        if (match !== undefined) return api(incoming, match)
      }
      const route = exact.get(incoming.path) ?? templated.find(({ pattern }) => pattern.test(incoming.path))?.route
      return route === undefined
        ? Effect.succeed(handled(Answers.invalidUrl(incoming.request.method, incoming.path), other))
        : route(incoming)
    }
  })
