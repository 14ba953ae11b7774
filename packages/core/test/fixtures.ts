import { HttpClient, HttpClientError, HttpClientResponse } from "@effect/platform"
import type { HttpClientRequest } from "@effect/platform"
import { FileBatchClient, FileBatchConfig } from "@filebatch/core"
import { Effect, Layer } from "effect"

export const apiKey = "sk-test-SECRET-0123456789abcdef"

export const batchJson = (overrides: Record<string, unknown> = {}) => ({
  id: "vsfb_abc123",
  object: "vector_store.files_batch",
  created_at: 1699061776,
  vector_store_id: "vs_abc123",
  status: "in_progress",
  file_counts: { in_progress: 12, completed: 3, failed: 0, cancelled: 0, total: 15 },
  ...overrides
})

export const ref = { vectorStoreId: "vs_abc123", batchId: "vsfb_abc123" }

/** What a fake handler may answer: a web Response, a broken connection, or nothing (the effect hangs). */
export type Reply = Response | "reset"

export interface Recorded {
  readonly requests: Array<HttpClientRequest.HttpClientRequest>
}

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } })

export const openAiError = (
  status: number,
  message: string,
  extra: { type?: string; code?: string | null; param?: string | null } = {},
  headers: Record<string, string> = {}
) =>
  json(
    {
      error: {
        message,
        type: extra.type ?? "invalid_request_error",
        param: extra.param ?? null,
        code: extra.code ?? null
      }
    },
    status,
    { "x-request-id": "req_test123", ...headers }
  )

/**
 * A fake HttpClient: the handler gets each request and its 0-based index and returns
 * a reply (it may sleep on the TestClock first).
 */
export const fakeHttp = (
  handler: (request: HttpClientRequest.HttpClientRequest, index: number) => Effect.Effect<Reply>
) => {
  const recorded: Recorded = { requests: [] }
  const client = HttpClient.make((request) =>
    Effect.suspend(() => {
      const index = recorded.requests.length
      recorded.requests.push(request)
      return handler(request, index)
    }).pipe(
      Effect.flatMap((reply) =>
        reply === "reset"
          ? Effect.fail(
            new HttpClientError.RequestError({
              request,
              reason: "Transport",
              cause: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" })
            })
          )
          : Effect.succeed(HttpClientResponse.fromWeb(request, reply))
      )
    )
  )
  return { recorded, layer: Layer.succeed(HttpClient.HttpClient, client) }
}

/** The client over a fake HttpClient, with settings that can be overridden. */
export const clientLayer = (
  http: Layer.Layer<HttpClient.HttpClient>,
  options: Partial<FileBatchConfig.FileBatchOptions> = {}
) =>
  FileBatchClient.layer.pipe(
    Layer.provide(http),
    Layer.provide(FileBatchConfig.layer({ apiKey, baseUrl: "http://api.test/v1", ...options })),
    Layer.orDie
  )

export const always = (reply: () => Reply) => fakeHttp(() => Effect.sync(reply))
