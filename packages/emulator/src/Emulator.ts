/**
 * The emulator as a service: a scoped HTTP server on loopback (port 0 by default)
 * with handles on its state, faults and request log.
 *
 * @since 0.1.0
 */
import { HttpServer } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Context, Effect, Layer, type Scope } from "effect"
import { createServer, type Server } from "node:http"
import { type EmulatorOptions, type EmulatorSettings, resolveSettings } from "./EmulatorConfig.js"
import type { FaultRule } from "./Fault.js"
import { makeApp } from "./internal/app.js"
import { FaultBook } from "./internal/faultBook.js"
import { HeldRequests } from "./internal/heldRequests.js"
import { RateLimiter } from "./internal/rateLimiter.js"
import * as Progress from "./Progress.js"
import type { RequestLogEntry } from "./RequestLog.js"
import { makeStore, type Store } from "./Store.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface EmulatorService {
  /** Base URL of the API, e.g. `http://127.0.0.1:4010/v1`: an `OPENAI_BASE_URL`. */
  readonly url: string
  readonly port: number
  readonly settings: EmulatorSettings
  /** Direct access to the state, bypassing HTTP (and the request log). */
  readonly store: Store
  /** The time batches progress on: hold it to make a state, advance it to move on. */
  readonly progress: Progress.Progress
  /** Arms fault rules. */
  readonly addFaults: (rules: ReadonlyArray<FaultRule>) => Effect.Effect<void>
  readonly clearFaults: Effect.Effect<void>
  /** How many requests a `hold` fault keeps waiting now. */
  readonly held: Effect.Effect<number>
  /** Lets every held request go on; answers how many. */
  readonly releaseHeld: Effect.Effect<number>
  /** A copy of the request log. */
  readonly requests: Effect.Effect<ReadonlyArray<RequestLogEntry>>
  readonly clearRequests: Effect.Effect<void>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Emulator extends Context.Tag("@filebatch/emulator/Emulator")<Emulator, EmulatorService>() {}

/**
 * Where the server listens.
 *
 * @since 0.1.0
 * @category models
 */
export interface ListenOptions {
  /** Default 0: any free port. */
  readonly port?: number
  /** Default `127.0.0.1`. */
  readonly host?: string
}

/**
 * Starts the emulator for the life of the scope. Closing the scope ends open
 * connections too, so a hung request never keeps it alive.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: EmulatorOptions & ListenOptions = {}
): Effect.Effect<EmulatorService, Error, Scope.Scope> =>
  Effect.gen(function*() {
    const settings = yield* Effect.try({ try: () => resolveSettings(options), catch: (e) => e as Error })
    const faults = new FaultBook()
    faults.add(settings.faults)
    const held = new HeldRequests()
    const progress = Progress.make({ held: settings.holdProgress })
    const state = {
      settings,
      store: makeStore(settings, progress),
      progress,
      faults,
      held,
      log: [] as Array<RequestLogEntry>,
      limiter: settings.rateLimitPerMinute === undefined ? undefined : new RateLimiter(settings.rateLimitPerMinute)
    }
    let nodeServer: Server | undefined
    const host = options.host ?? "127.0.0.1"
    const port = options.port ?? 0
    const context = yield* Layer.build(
      NodeHttpServer.layer(() => (nodeServer = createServer()), { port, host })
    ).pipe(
      Effect.mapError((error) => {
        const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause
        const reason = typeof cause?.code === "string" ? cause.code : String(cause?.message ?? error)
        return new Error(
          `cannot listen on ${host}:${port}: ${reason === "EADDRINUSE" ? "the address is in use" : reason}`
        )
      })
    )
    yield* Effect.addFinalizer(() => Effect.sync(() => nodeServer?.closeAllConnections()))
    const server = Context.get(context, HttpServer.HttpServer)
    // Interruptible: the handler runtime is captured here, usually inside (uninterruptible)
    // layer construction, and a hung request must stop when its client goes away.
    yield* Effect.forkScoped(server.serve(Effect.interruptible(makeApp(state))))
    const address = server.address as HttpServer.TcpAddress
    const urlHost = host.includes(":") ? `[${host}]` : host
    return {
      url: `http://${urlHost}:${address.port}/v1`,
      port: address.port,
      settings,
      store: state.store,
      progress,
      addFaults: (rules) => Effect.sync(() => faults.add(rules)),
      clearFaults: Effect.sync(() => faults.clear()),
      held: Effect.sync(() => held.size),
      releaseHeld: held.release,
      requests: Effect.sync(() => state.log.map((entry) => ({ ...entry }))),
      clearRequests: Effect.sync(() => void state.log.splice(0))
    }
  })

/**
 * The emulator as a layer, for tests: `Layer.provide(Emulator.layer({ ... }))`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: EmulatorOptions & ListenOptions = {}): Layer.Layer<Emulator, Error> =>
  Layer.scoped(Emulator, make(options))
