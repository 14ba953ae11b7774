import { Emulator, type RequestLog } from "@filebatch/emulator"
import { Effect, Exit, Scope } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { createHash } from "node:crypto"
import { fileURLToPath } from "node:url"

export const bundle = fileURLToPath(new URL("../dist/proxy.mjs", import.meta.url))
export const upstreamKey = "sk-upstream-ORG-SECRET-7f3a9c"
export const clientKeys = { a: "sk-client-team-a-123456", b: "sk-client-team-b-654321" }
const hash = (key: string) => createHash("sha256").update(key).digest("hex")

export interface RunningEmulator {
  readonly emulator: Emulator.EmulatorService
  readonly close: () => Promise<void>
}

export const startEmulator = async (options: Parameters<typeof Emulator.make>[0] = {}): Promise<RunningEmulator> => {
  const scope = Effect.runSync(Scope.make())
  const emulator = await Effect.runPromise(
    Emulator.make({ keys: [upstreamKey], fileMillis: 60_000, ...options }).pipe(Scope.extend(scope))
  )
  return { emulator, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}

export const seed = async (emulator: Emulator.EmulatorService) => {
  const vs = await Effect.runPromise(emulator.store.createVectorStore("proxy"))
  const vectorStoreId = vs["id"] as string
  const batch = await Effect.runPromise(Effect.orDie(emulator.store.createBatch(vectorStoreId, ["file-1", "file-2"])))
  return { vectorStoreId, batchId: batch["id"] as string }
}

export const upstreamRequests = (
  emulator: Emulator.EmulatorService
): Promise<ReadonlyArray<RequestLog.RequestLogEntry>> => Effect.runPromise(emulator.requests)

export interface RunningProxy {
  readonly url: string
  readonly child: ChildProcess
  readonly output: () => string
  readonly exit: Promise<number | null>
  readonly stop: (signal?: NodeJS.Signals) => Promise<number | null>
}

/** Starts the bundled proxy on a free port in front of the emulator. */
export const startProxy = (
  emulator: Emulator.EmulatorService,
  env: Record<string, string> = {},
  allowed: { a?: ReadonlyArray<string> | "*" } = {}
): Promise<RunningProxy> => {
  const keys = [
    { name: "team-a", sha256: hash(clientKeys.a), vectorStores: allowed.a ?? "*" },
    { name: "team-b", sha256: hash(clientKeys.b), vectorStores: ["vs_only_this_one"] }
  ]
  const child = spawn(process.execPath, [bundle], {
    env: {
      PATH: process.env["PATH"] ?? "",
      PORT: "0",
      OPENAI_API_KEY: upstreamKey,
      OPENAI_BASE_URL: emulator.url,
      FILEBATCH_PROXY_KEYS: JSON.stringify(keys),
      ...env
    },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let output = ""
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  const killer = setTimeout(() => child.kill("SIGKILL"), 60_000)
  void exit.then(() => clearTimeout(killer))
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      const match = output.match(/"message":"listening".*?"url":"(http:\/\/[^"]+)"/)
      if (match) {
        resolve({
          url: match[1],
          child,
          output: () => output,
          exit,
          stop: (signal = "SIGTERM") => {
            child.kill(signal)
            return exit
          }
        })
      }
    }
    child.stdout!.on("data", onData)
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()))
    void exit.then((code) => reject(new Error(`proxy exited (${code}) before listening:\n${output}`)))
  })
}

export interface Reply {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  readonly json: unknown
}

export const call = async (
  url: string,
  method: string,
  path: string,
  options: { key?: string | null; headers?: Record<string, string>; body?: string } = {}
): Promise<Reply> => {
  const headers: Record<string, string> = { ...options.headers }
  const key = options.key === undefined ? clientKeys.a : options.key
  if (key !== null) headers["authorization"] = `Bearer ${key}`
  const response = await fetch(`${url}${path}`, {
    method,
    headers,
    ...(options.body !== undefined ? { body: options.body } : {}),
    signal: AbortSignal.timeout(20_000)
  })
  const text = await response.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: response.status, headers: response.headers, text, json }
}

export const errorOf = (reply: Reply) => (reply.json as { error: Record<string, unknown> }).error
