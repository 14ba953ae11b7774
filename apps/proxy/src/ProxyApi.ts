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
import { FileBatchApi } from "@filebatch/core"
import { Schema } from "effect"
import { Draining, Ready, Unready } from "./internal/readiness.js"
import { version } from "./internal/version.js"

/** Error statuses the proxy answers itself, on top of what the upstream answers. */
const proxyErrors = [400, 401, 403, 413, 429, 500, 502, 503, 504]

/** `{vector_store_id}` → `:vector_store_id`, as `HttpApiEndpoint` writes parameters. */
const endpointPath = (path: string) => `/v1${path.replace(/\{(\w+)\}/g, ":$1")}` as HttpApiEndpoint.PathSegment

/** Client keys, as `Authorization: Bearer <key>`: declared for the API's operations. */
class ClientKey extends HttpApiMiddleware.Tag<ClientKey>()("ClientKey", {
  security: {
    clientKey: HttpApiSecurity.bearer.pipe(
      HttpApiSecurity.annotate(OpenApi.Description, "A client key the proxy was configured with (never the OpenAI key)")
    )
  }
}) {}

const withQuery = <E extends HttpApiEndpoint.HttpApiEndpoint.Any>(endpoint: E, query: Schema.Schema.Any | undefined) =>
  query === undefined
    ? endpoint
    : (endpoint as unknown as HttpApiEndpoint.HttpApiEndpoint.AnyWithProps).setUrlParams(
      query as Schema.Schema<unknown, Readonly<Record<string, string>>>
    ) as unknown as E

/** The API group of a table of operations, errors included. */
export const apiGroup = (table: Readonly<Record<string, FileBatchApi.OperationSpec>>) =>
  Object.entries(table).reduce((group, [name, spec]) => {
    const statuses = [...new Set([...spec.upstreamErrors, ...proxyErrors])].sort((a, b) => a - b)
    const endpoint = statuses.reduce(
      (acc, status) => acc.addError(FileBatchApi.ErrorResponse, { status }),
      withQuery(HttpApiEndpoint.make(spec.method)(name, endpointPath(spec.path)), spec.query)
        .setPath(FileBatchApi.BatchPathParams)
        .addSuccess(spec.success)
        .annotate(
          OpenApi.Summary,
          `${spec.summary} (as OpenAI's ${spec.operationId})`
        ) as unknown as HttpApiEndpoint.HttpApiEndpoint.AnyWithProps
    )
    return (group as unknown as HttpApiGroup.HttpApiGroup.AnyWithProps).add(endpoint) as unknown as typeof group
  }, HttpApiGroup.make("fileBatches")).middleware(ClientKey)

const operations = HttpApiGroup.make("operations").add(
  HttpApiEndpoint.get("healthz", "/healthz").addSuccess(Schema.Struct({ status: Schema.Literal("ok") }))
).add(
  HttpApiEndpoint.get("readyz", "/readyz")
    .addSuccess(Ready)
    .addError(Draining, { status: 503 })
    .addError(Unready, { status: 503 })
).add(
  HttpApiEndpoint.get("metrics", "/metrics").addSuccess(
    Schema.String.pipe(HttpApiSchema.withEncoding({ kind: "Text", contentType: "text/plain; version=0.0.4" }))
  ).addError(
    FileBatchApi.ErrorResponse.annotations({
      description: "With FILEBATCH_PROXY_ADMIN_PORT set, metrics are served on the admin port only"
    }),
    { status: 404 }
  )
)

/**
 * Every `HttpApi` declares `@effect/platform`'s decode errors (a 400 of `HttpApiDecodeError`).
 * The proxy is not served by `HttpApiBuilder`: it answers a bad request in OpenAI's shape,
 * which each operation declares, and never sends those. The document says what is sent.
 */
const withoutPlatformErrors = <A extends HttpApi.HttpApi.Any>(api: A): A =>
  Object.assign(Object.create(Object.getPrototypeOf(api)), api, { errorSchema: Schema.Never })

export const proxyApi = (table: Readonly<Record<string, FileBatchApi.OperationSpec>> = FileBatchApi.operations) =>
  withoutPlatformErrors(
    HttpApi.make("filebatch-proxy")
      .add(apiGroup(table))
      .add(operations)
      .annotate(OpenApi.Title, "filebatch proxy")
      .annotate(OpenApi.Version, version)
      .annotate(
        OpenApi.Description,
        "OpenAI-compatible proxy for cancelling and following vector store file batches. " +
          "Authenticate with `Authorization: Bearer <client key>`; the proxy holds the OpenAI key."
      )
  )

export const openApiDocument = (table?: Readonly<Record<string, FileBatchApi.OperationSpec>>) =>
  OpenApi.fromApi(proxyApi(table))
