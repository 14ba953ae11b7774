import type { Emulator } from "@filebatch/emulator"
import * as Testkit from "@filebatch/testkit"

export {
  adminUrlOf,
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
  options: { key?: string | null; headers?: Record<string, string>; body?: string | ReadableStream<Uint8Array> } = {}
) =>
  Testkit.request(`${url}${path}`, {
    method,
    bearer: options.key === undefined ? clientKeys.a : options.key ?? undefined,
    ...(options.headers !== undefined ? { headers: options.headers } : {}),
    ...(options.body !== undefined ? { body: options.body } : {})
  })

/** An emulator, a Redis, and two bundled proxies sharing it; all stopped however the test ends. */
export const withReplicas = async (
  env: Record<string, string>,
  test: (setup: {
    upstream: RunningEmulator
    redis: Testkit.RunningRedis
    replicas: [RunningProxy, RunningProxy]
  }) => Promise<void>
) => {
  const upstream = await startEmulator()
  const redis = await Testkit.startRedis()
  const started: Array<RunningProxy> = []
  try {
    for (let i = 0; i < 2; i++) {
      started.push(await startProxy(upstream.emulator, { FILEBATCH_PROXY_REDIS_URL: redis.url, ...env }))
    }
    await test({ upstream, redis, replicas: [started[0]!, started[1]!] })
  } finally {
    await Promise.all(started.map((proxy) => proxy.stop()))
    await redis.stop()
    await upstream.close()
  }
}

/** A gauge or counter of the proxy's `/metrics` now (undefined when absent). */
export const gauge = async (proxy: RunningProxy, name: string) => {
  const text = (await call(proxy.url, "GET", "/metrics")).text
  const match = new RegExp(`^${name} (\\d+)$`, "m").exec(text)
  return match === null ? undefined : Number(match[1])
}

/** The proxy printed nothing but its JSON log lines: no stack, no stray line, nothing on stderr. */
export const expectOnlyJsonLines = (proxy: RunningProxy) => {
  if (proxy.stderr() !== "") throw new Error(`stderr is not empty:\n${proxy.stderr()}`)
  for (const line of proxy.output().split("\n").filter((line) => line !== "")) JSON.parse(line)
}
