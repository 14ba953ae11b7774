import type { Emulator } from "@filebatch/emulator"
import * as Testkit from "@filebatch/testkit"

export {
  errorOf,
  eventually,
  type Reply,
  requestsOf as upstreamRequests,
  run,
  sha256,
  spawnNode,
  untilHeld,
  untilRequest
} from "@filebatch/testkit"
export { proxyBundle as bundle } from "@filebatch/testkit"

export const upstreamKey = "sk-upstream-ORG-SECRET-7f3a9c"
export const clientKeys = { a: "sk-client-team-a-123456", b: "sk-client-team-b-654321" }

export type RunningEmulator = Testkit.RunningEmulator
export type RunningProxy = Testkit.RunningProxy

/** The emulator as the proxy's upstream: it accepts only the organisation's key. */
export const startEmulator = (options: Parameters<typeof Testkit.startEmulator>[0] = {}) =>
  Testkit.startEmulator({ keys: [upstreamKey], ...options })

export const seed = (emulator: Emulator.EmulatorService) => Testkit.seedBatch(emulator)

export const seedFiles = (emulator: Emulator.EmulatorService, files: number) => Testkit.seedBatch(emulator, files)

/** The bundled proxy in front of the emulator: team-a may touch `allowed.a` (default all), team-b one store. */
export const startProxy = (
  emulator: Emulator.EmulatorService,
  env: Record<string, string> = {},
  allowed: { a?: ReadonlyArray<string> | "*" } = {}
): Promise<RunningProxy> =>
  Testkit.startProxy({
    upstreamUrl: emulator.url,
    upstreamKey,
    clients: [
      { name: "team-a", key: clientKeys.a, vectorStores: allowed.a ?? "*" },
      { name: "team-b", key: clientKeys.b, vectorStores: ["vs_only_this_one"] }
    ],
    env
  })

/** Runs `test` with an emulator and the bundled proxy in front of it, both stopped afterwards however it ends. */
export const withProxy = async (
  env: Record<string, string>,
  test: (upstream: RunningEmulator, proxy: RunningProxy) => Promise<void>
): Promise<void> => {
  const upstream = await startEmulator()
  try {
    const proxy = await startProxy(upstream.emulator, env)
    try {
      await test(upstream, proxy)
    } finally {
      await proxy.stop()
    }
  } finally {
    await upstream.close()
  }
}

/** A request to the proxy with team-a's key unless told otherwise (`null`: no key). */
export const call = (
  url: string,
  method: string,
  path: string,
  options: { key?: string | null; headers?: Record<string, string>; body?: string } = {}
) =>
  Testkit.request(`${url}${path}`, {
    method,
    bearer: options.key === undefined ? clientKeys.a : options.key ?? undefined,
    ...(options.headers !== undefined ? { headers: options.headers } : {}),
    ...(options.body !== undefined ? { body: options.body } : {})
  })
