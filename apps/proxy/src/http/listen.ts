import { Data, Effect } from "effect"
import type { Server } from "node:http"

/** The proxy could not listen on its address. */
export class ListenError extends Data.TaggedError("ListenError")<{ readonly message: string }> {}

/** Listens, or fails with one clear line saying why. */
export const listen = (server: Server, port: number, host: string) =>
  Effect.async<void, ListenError>((resume) => {
    const onError = (error: Error & { code?: string }) =>
      resume(
        Effect.fail(new ListenError({ message: `cannot listen on ${host}:${port}: ${error.code ?? error.message}` }))
      )
    server.once("error", onError)
    server.listen(port, host, () => {
      server.off("error", onError)
      resume(Effect.void)
    })
  })
