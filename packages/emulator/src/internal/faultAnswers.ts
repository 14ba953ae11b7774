/** How faults spoil or cut an answer at the socket level. */
import type { HttpServerRequest } from "@effect/platform"
import { NodeHttpServerRequest } from "@effect/platform-node"
import { Effect } from "effect"
import type { Fault } from "../Fault.js"
import * as Errors from "./apiError.js"

const node = (request: HttpServerRequest.HttpServerRequest) => NodeHttpServerRequest.toServerResponse(request)

/** Ends the connection with a TCP reset and never answers. */
export const resetConnection = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.zipRight(
    Effect.sync(() => {
      node(request).socket?.resetAndDestroy()
    }),
    Effect.never
  )

/** Sends the headers and half the body, then drops the connection. */
export const truncated = (
  request: HttpServerRequest.HttpServerRequest,
  body: string,
  headers: Record<string, string>
) =>
  Effect.zipRight(
    Effect.sync(() => {
      const response = node(request)
      const bytes = Buffer.from(body)
      response.writeHead(200, {
        ...headers,
        "content-type": "application/json",
        "content-length": String(bytes.length)
      })
      response.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => response.socket?.destroy())
    }),
    Effect.never
  )

export const spoil = (fault: Fault, body: Record<string, unknown>): Record<string, unknown> | string => {
  if (fault.kind === "non-json") return "<html><body><h1>502 Bad Gateway</h1></body></html>"
  if (fault.kind !== "drift") return body
  switch (fault.drift) {
    case "unknown-status":
      return { ...body, status: fault.status ?? "cancelling" }
    case "extra-fields":
      return { ...body, usage_bytes: 123, metadata: { drift: true }, expires_at: null }
    case "object-spelling":
      return {
        ...body,
        object: body["object"] === "vector_store.files_batch" ? "vector_store.file_batch" : "vector_store.files_batch"
      }
  }
}

export const defaultFaultMessage = (status: number) =>
  status === 429
    ? "Rate limit reached for requests. Please try again later."
    : status >= 500
    ? "The server had an error while processing your request. Sorry about that!"
    : `Injected error ${status}.`

/** The OpenAI-shaped error of a `status` fault, with the retry headers it asks for. */
export const statusFault = (fault: Extract<Fault, { kind: "status" }>) => {
  const headers: Record<string, string> = {}
  if (fault.retryAfter !== undefined) headers["retry-after"] = String(fault.retryAfter)
  if (fault.retryAfterMs !== undefined) headers["retry-after-ms"] = String(fault.retryAfterMs)
  if (fault.shouldRetry !== undefined) headers["x-should-retry"] = String(fault.shouldRetry)
  const error = Errors.apiError(fault.status, fault.message ?? defaultFaultMessage(fault.status), {
    ...(fault.type !== undefined ? { type: fault.type } : {}),
    ...(fault.code !== undefined ? { code: fault.code } : {})
  })
  return { error, headers }
}
