/**
 * The proxy's contract as an `HttpApi`, the source of `/openapi.json` and of the docs
 * page. Its API operations are core's table (`FileBatchApi.operations`), the same one the
 * proxy routes by: an operation added there is routed and documented here with nothing
 * else to change.
 */
import {
  HttpApi,
  HttpApiEndpoint,
  HttpApiGroup,
  HttpApiMiddleware,
  HttpApiSchema,
  HttpApiSecurity,
  OpenApi
} from "@effect/platform"
import { ErrorResponse, FileBatchApi, type Operation, ProxyContract } from "@filebatch/core"
import { Schema } from "effect"
import { version } from "../ops/version.js"

/** Error statuses the proxy answers itself, on top of what the upstream answers. */
const proxyErrors = [400, 401, 403, 413, 429, 500, 502, 503, 504]

/** Client keys, as `Authorization: Bearer <key>`: declared for the API's operations. */
class ClientKey extends HttpApiMiddleware.Tag<ClientKey>()("ClientKey", {
  security: {
    clientKey: HttpApiSecurity.bearer.pipe(
      HttpApiSecurity.annotate(OpenApi.Description, "A client key the proxy was configured with (never the OpenAI key)")
    )
  }
}) {}

/** One operation as an endpoint: its path (parameters with the ID rule), query, payload, answer and errors. */
const endpointOf = (operation: Operation.Any): HttpApiEndpoint.HttpApiEndpoint.Any => {
  // `{vector_store_id}` → `:vector_store_id`, as `HttpApiEndpoint` writes parameters.
  const path = `/v1${operation.path.replace(/\{(\w+)\}/g, ":$1")}` as const
  const [first, ...more] = [...new Set([...operation.upstreamErrors, ...proxyErrors])].sort((a, b) => a - b)
  const base = HttpApiEndpoint.make(operation.method)(operation.name, path)
    .setPath(operation.params)
    .addSuccess(operation.success)
    .addError(ErrorResponse.ErrorResponse, { status: first })
    .annotate(OpenApi.Summary, `${operation.summary} (as OpenAI's ${operation.operationId})`)
  const endpoint = more.reduce((acc, status) => acc.addError(ErrorResponse.ErrorResponse, { status }), base)
  const { payload, query } = operation
  if (query !== undefined && payload !== undefined) return endpoint.setUrlParams(query).setPayload(payload)
  if (query !== undefined) return endpoint.setUrlParams(query)
  if (payload !== undefined) return endpoint.setPayload(payload)
  return endpoint
}

/** The API group of a table of operations, errors included. */
export const apiGroup = (table: Readonly<Record<string, Operation.Any>>) => {
  const [first, ...more] = Object.values(table).map(endpointOf)
  return more.reduce((group, endpoint) => group.add(endpoint), HttpApiGroup.make("fileBatches").add(first))
    .middleware(ClientKey)
}

/** An own route's answer schema, with its content type when not JSON. */
const answerSchema = ({ contentType, schema }: ProxyContract.RouteAnswer) =>
  contentType === "application/json"
    ? schema
    : schema.pipe(HttpApiSchema.withEncoding({ kind: contentType.startsWith("text/") ? "Text" : "Json", contentType }))

/** One of the proxy's own routes as an endpoint: its query, and every answer at its status. */
const ownEndpointOf = (name: string, route: ProxyContract.Route<unknown>) => {
  const [success, ...errors] = route.answers
  const base = HttpApiEndpoint.get(name, route.path as "/")
    .addSuccess(answerSchema(success).annotations({ description: success.description }))
    .annotate(OpenApi.Summary, route.summary)
  // Each answer adds to the endpoint's type; the document needs none of it.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const endpoint: HttpApiEndpoint.HttpApiEndpoint<string, "GET", any, any, any, any, any, any> = errors.reduce(
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    (acc: any, answer) => acc.addError(answerSchema(answer).annotations({ description: answer.description }), answer),
    base
  )
  return route.query === undefined
    ? endpoint
    : endpoint.setUrlParams(route.query as unknown as Schema.Schema<unknown, Readonly<Record<string, string>>>)
}

/** The documented own routes of a port's kind, as a group. */
const ownGroup = (group: string, ports: (route: ProxyContract.Route<unknown>) => boolean, description: string) => {
  const [first, ...more] = Object.entries(ProxyContract.routes as Record<string, ProxyContract.Route<unknown>>)
    .filter(([, route]) => route.documented && ports(route))
    .map(([name, route]) => ownEndpointOf(name, route))
  return more.reduce((acc, endpoint) => acc.add(endpoint), HttpApiGroup.make(group).add(first))
    .annotate(OpenApi.Description, description)
}

const operations = ownGroup(
  "operations",
  (route) => route.ports !== "admin",
  "Health, readiness and metrics (metrics on the admin port instead when one is set)"
)
const admin = ownGroup(
  "admin",
  (route) => route.ports === "admin",
  "Served on the admin port (FILEBATCH_PROXY_ADMIN_PORT) only"
)

/**
 * Every `HttpApi` declares `@effect/platform`'s decode errors (a 400 of `HttpApiDecodeError`).
 * The proxy is not served by `HttpApiBuilder`: it answers a bad request in OpenAI's shape,
 * which each operation declares, and never sends those. The document says what is sent.
 */
const withoutPlatformErrors = <A extends HttpApi.HttpApi.Any>(api: A): A =>
  Object.assign(Object.create(Object.getPrototypeOf(api)), api, { errorSchema: Schema.Never })

export const proxyApi = (table: Readonly<Record<string, Operation.Any>> = FileBatchApi.operations) =>
  withoutPlatformErrors(
    HttpApi.make("filebatch-proxy")
      .add(apiGroup(table))
      .add(operations)
      .add(admin)
      .annotate(OpenApi.Title, "filebatch proxy")
      .annotate(OpenApi.Version, version)
      .annotate(
        OpenApi.Description,
        "OpenAI-compatible proxy for cancelling and following vector store file batches. " +
          "Authenticate with `Authorization: Bearer <client key>`; the proxy holds the OpenAI key."
      )
  )

export const openApiDocument = (table?: Readonly<Record<string, Operation.Any>>) => OpenApi.fromApi(proxyApi(table))
