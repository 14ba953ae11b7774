import { HttpClient, HttpClientError, HttpClientResponse } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import { cancelFileBatch, FileBatchClient, FileBatchConfig } from "@filebatch/core"
import * as AttemptLimit from "@filebatch/core/AttemptLimit"
import { Effect, FiberRef, Layer } from "effect"
import { apiKey, batchJson, json, ref } from "./fixtures.js"

/** A client that enforces attempt limits, as a test double: it records each request's limit. */
const enforcingClient = (answer: "batch" | "limit reached") => {
  const limits: Array<number | undefined> = []
  const client = AttemptLimit.enforcing(
    HttpClient.make((request) =>
      Effect.flatMap(FiberRef.get(AttemptLimit.current), (limit) => {
        limits.push(limit)
        return answer === "batch"
          ? Effect.succeed(HttpClientResponse.fromWeb(request, json(batchJson())))
          : Effect.fail(
            new HttpClientError.RequestError({
              request,
              reason: "Transport",
              cause: new AttemptLimit.Reached({ millis: limit ?? -1 })
            })
          )
      })
    )
  )
  return { client, limits }
}

const clientOver = (http: HttpClient.HttpClient) =>
  FileBatchClient.layer.pipe(
    Layer.provide(Layer.succeed(HttpClient.HttpClient, http)),
    Layer.provide(FileBatchConfig.layer({ apiKey, baseUrl: "http://api.test/v1", timeout: "7 seconds" }))
  )

describe("AttemptLimit", () => {
  it.live("core hands its attempt limit to a client that enforces it, and reads Reached as a timeout", () =>
    Effect.gen(function*() {
      const fine = enforcingClient("batch")
      const batch = yield* cancelFileBatch(ref).pipe(Effect.provide(clientOver(fine.client)))
      expect(batch.id).toBe(ref.batchId)
      expect(fine.limits).toEqual([7000])

      const slow = enforcingClient("limit reached")
      const error = yield* cancelFileBatch(ref).pipe(
        Effect.flip,
        Effect.provide(
          clientOver(slow.client).pipe(
            Layer.provide(FileBatchConfig.layer({ apiKey, baseUrl: "http://api.test/v1", maxRetries: 0 }))
          )
        )
      )
      expect(error._tag).toBe("TimeoutError")
      expect(error._tag === "TimeoutError" && error.reason).toBe("attempt")
    }))

  it.live("a wrapped client is not trusted with the limit: core times the attempt itself", () =>
    Effect.gen(function*() {
      const { client, limits } = enforcingClient("batch")
      const wrapped = HttpClient.tapRequest(client, () => Effect.void)
      expect(AttemptLimit.isEnforcedBy(wrapped)).toBe(false)
      yield* cancelFileBatch(ref).pipe(Effect.provide(clientOver(wrapped)))
      expect(limits).toEqual([undefined])
    }))
})
