/**
 * Counting upstream HTTP attempts, retries included, whether the call ends well or not:
 * the client is wrapped so that every request it sends bumps the counter of the fiber
 * that asked (core's retries and timeouts run in that fiber or its children).
 */
import { HttpClient } from "@effect/platform"
import { Effect, FiberRef } from "effect"

export interface AttemptCounter {
  count: number
}

export const currentAttempts: FiberRef.FiberRef<AttemptCounter | undefined> = FiberRef.unsafeMake<
  AttemptCounter | undefined
>(undefined)

export const countAttempts = (client: HttpClient.HttpClient): HttpClient.HttpClient =>
  HttpClient.tapRequest(client, () =>
    Effect.map(FiberRef.get(currentAttempts), (counter) => {
      if (counter !== undefined) counter.count += 1
    }))
