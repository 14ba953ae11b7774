/**
 * The proxy's contract as an `HttpApi`: the source of `/openapi.json` and of the docs
 * page. The request path itself is served by `Proxy.ts`, which keeps OpenAI's exact
 * error shapes and statuses; `test/openapi.test.ts` checks that both agree.
 */
import { HttpApi, HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { FileBatch } from "@filebatch/core"
import { Schema } from "effect"

export const ErrorResponse = Schema.Struct({
  error: Schema.Struct({
    message: Schema.String,
    type: Schema.String,
    param: Schema.NullOr(Schema.String),
    code: Schema.NullOr(Schema.String)
  })
}).annotations({ identifier: "ErrorResponse", description: "OpenAI's error shape" })

const BatchPath = Schema.Struct({
  vector_store_id: Schema.String.annotations({ description: "Letters, digits, '_' and '-', at most 128" }),
  batch_id: Schema.String.annotations({ description: "Letters, digits, '_' and '-', at most 128" })
})

const withErrors = <E extends HttpApiEndpoint.HttpApiEndpoint.Any>(endpoint: E) =>
  [400, 401, 403, 404, 405, 409, 413, 422, 429, 500, 502, 503, 504].reduce(
    (acc, status) =>
      (acc as unknown as HttpApiEndpoint.HttpApiEndpoint.AnyWithProps).addError(ErrorResponse, {
        status
      }) as unknown as E,
    endpoint
  )

const fileBatches = HttpApiGroup.make("fileBatches").add(
  withErrors(
    HttpApiEndpoint.post("cancel", "/v1/vector_stores/:vector_store_id/file_batches/:batch_id/cancel")
      .setPath(BatchPath)
      .addSuccess(FileBatch.VectorStoreFileBatch)
      .annotate(OpenApi.Summary, "Cancel a vector store file batch (as OpenAI's cancelVectorStoreFileBatch)")
  )
).add(
  withErrors(
    HttpApiEndpoint.get("retrieve", "/v1/vector_stores/:vector_store_id/file_batches/:batch_id")
      .setPath(BatchPath)
      .addSuccess(FileBatch.VectorStoreFileBatch)
      .annotate(OpenApi.Summary, "Retrieve a vector store file batch, to follow a cancellation")
  )
)

const operations = HttpApiGroup.make("operations").add(
  HttpApiEndpoint.get("healthz", "/healthz").addSuccess(Schema.Struct({ status: Schema.Literal("ok") }))
).add(
  HttpApiEndpoint.get("readyz", "/readyz")
    .addSuccess(Schema.Struct({ status: Schema.Literal("ready") }))
    .addError(Schema.Struct({ status: Schema.Literal("draining") }), { status: 503 })
).add(
  HttpApiEndpoint.get("metrics", "/metrics").addSuccess(
    Schema.String.pipe(HttpApiSchema.withEncoding({ kind: "Text", contentType: "text/plain; version=0.0.4" }))
  )
)

export const ProxyApi = HttpApi.make("filebatch-proxy")
  .add(fileBatches)
  .add(operations)
  .annotate(OpenApi.Title, "filebatch proxy")
  .annotate(OpenApi.Version, "0.1.0")
  .annotate(
    OpenApi.Description,
    "OpenAI-compatible proxy for cancelling and following vector store file batches. " +
      "Authenticate with `Authorization: Bearer <client key>`; the proxy holds the OpenAI key."
  )

export const openApiDocument = () => OpenApi.fromApi(ProxyApi)

export const docsPage = `<!doctype html>
<html>
<head><meta charset="utf-8"><title>filebatch proxy API</title></head>
<body>
<script id="api-reference" data-url="/openapi.json"></script>
<script src="https://cdn.jsdelivr.net/npm/@scalar/api-reference"></script>
<noscript>The API description is at <a href="/openapi.json">/openapi.json</a>.</noscript>
</body>
</html>
`
