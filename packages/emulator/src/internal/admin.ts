/** The emulator's own routes under `/__emulator/`: faults and the request log. */
import { type HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Effect, Schema } from "effect"
import { FaultRule } from "../Fault.js"
import * as Errors from "./apiError.js"
import type { ApiError } from "./apiError.js"
import { readJsonBody } from "./requestBody.js"
import type { AppState } from "./state.js"

/** `{"hold": true}` holds batch progress, `false` resumes it; `advanceMillis` moves it on. */
const ProgressCommand = Schema.Struct({
  hold: Schema.optional(Schema.Boolean),
  advanceMillis: Schema.optional(Schema.Number.pipe(Schema.finite(), Schema.nonNegative()))
})

export const jsonResponse = (status: number, body: unknown, headers: Record<string, string>) =>
  HttpServerResponse.text(JSON.stringify(body), { status, headers, contentType: "application/json" })

export const adminApp = (state: AppState, request: HttpServerRequest.HttpServerRequest, path: string) => {
  const ok = (body: unknown, status = 200) => jsonResponse(status, body, {})
  switch (`${request.method} ${path}`) {
    case "GET /__emulator/health":
      return ok({ ok: true })
    case "GET /__emulator/requests":
      return ok(state.log)
    case "DELETE /__emulator/requests":
      return Effect.sync(() => state.log.splice(0)).pipe(Effect.zipRight(ok({ cleared: true })))
    case "GET /__emulator/held":
      return ok({ held: state.held.size })
    case "POST /__emulator/release":
      return Effect.flatMap(state.held.release, (released) => ok({ released }))
    case "GET /__emulator/progress":
      return Effect.flatMap(state.progress.state, (progress) => ok(progress))
    case "POST /__emulator/progress":
      return readJsonBody(request).pipe(
        Effect.flatMap((body) =>
          Schema.decodeUnknown(ProgressCommand)(body).pipe(
            Effect.mapError((error) => Errors.apiError(400, `Invalid progress command: ${error.message}`))
          )
        ),
        Effect.tap((command) =>
          command.hold === true ? state.progress.hold : command.hold === false ? state.progress.resume : Effect.void
        ),
        Effect.tap((command) =>
          command.advanceMillis === undefined ? Effect.void : state.progress.advance(command.advanceMillis)
        ),
        Effect.zipRight(state.progress.state),
        Effect.flatMap((progress) => ok(progress)),
        Effect.catchAll((error: ApiError) => jsonResponse(error.status, Errors.errorBody(error), {}))
      )
    case "DELETE /__emulator/faults":
      return Effect.sync(() => state.faults.clear()).pipe(Effect.zipRight(ok({ cleared: true })))
    case "POST /__emulator/faults":
      return readJsonBody(request).pipe(
        Effect.flatMap((body) =>
          Schema.decodeUnknown(Schema.Union(FaultRule, Schema.Array(FaultRule)))(body).pipe(
            Effect.mapError((error) => Errors.apiError(400, `Invalid fault rule: ${error.message}`))
          )
        ),
        Effect.flatMap((rules) => {
          const list = Array.isArray(rules) ? rules : [rules as FaultRule]
          state.faults.add(list)
          return ok({ armed: list.length, total: state.faults.size }, 201)
        }),
        Effect.catchAll((error: ApiError) => jsonResponse(error.status, Errors.errorBody(error), {}))
      )
    default:
      return jsonResponse(404, Errors.errorBody(Errors.invalidUrl(request.method, path)), {})
  }
}
