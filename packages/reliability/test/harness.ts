import { NodeHttpClient } from "@effect/platform-node"
import { FileBatchClient, FileBatchConfig, type FileBatchError } from "@filebatch/core"
import { Emulator, type Fault } from "@filebatch/emulator"
import { Effect, type Either, Exit, Layer, Scope } from "effect"
import { type ChildProcess, spawn } from "node:child_process"
import { createHash } from "node:crypto"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"

export const cliBundle = fileURLToPath(new URL("../../../apps/cli/dist/filebatch.cjs", import.meta.url))
export const proxyBundle = fileURLToPath(new URL("../../../apps/proxy/dist/proxy.mjs", import.meta.url))
export const upstreamKey = "sk-reliability-UPSTREAM-5e1f"
export const clientKey = "sk-reliability-client-77"
const cacheHome = mkdtempSync(join(tmpdir(), "filebatch-reliability-"))

/** Settings shared by the three subjects, so that their outcomes can be compared. */
export const retries = 1
export const timeoutMs = 400

export const startEmulator = async (options: Parameters<typeof Emulator.make>[0] = {}) => {
  const scope = Effect.runSync(Scope.make())
  const emulator = await Effect.runPromise(
    Emulator.make({ keys: [upstreamKey], fileMillis: 60_000, ...options }).pipe(Scope.extend(scope))
  )
  return { emulator, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}

export const seed = async (emulator: Emulator.EmulatorService) => {
  const vs = await Effect.runPromise(emulator.store.createVectorStore("reliability"))
  const vectorStoreId = vs["id"] as string
  const batch = await Effect.runPromise(Effect.orDie(emulator.store.createBatch(vectorStoreId, ["file-1", "file-2"])))
  return { vectorStoreId, batchId: batch["id"] as string }
}

export const arm = (emulator: Emulator.EmulatorService, rules: ReadonlyArray<Fault.FaultRule>) =>
  Effect.runPromise(emulator.addFaults(rules))

/** Core, in-process, with the real node HTTP client. */
export const coreCancel = (
  emulator: Emulator.EmulatorService,
  ref: { vectorStoreId: string; batchId: string },
  apiKey = upstreamKey
): Promise<Either.Either<FileBatchClient.FileBatchResponse, FileBatchError.FileBatchError>> =>
  Effect.runPromise(
    Effect.flatMap(FileBatchClient.FileBatchClient, (client) => client.execute("cancel", ref)).pipe(
      Effect.provide(
        FileBatchClient.layer.pipe(
          Layer.provide(
            FileBatchConfig.layer({ apiKey, baseUrl: emulator.url, maxRetries: retries, timeout: timeoutMs })
          ),
          Layer.provide(NodeHttpClient.layerUndici),
          Layer.orDie
        )
      ),
      Effect.either
    )
  )

export interface Ran {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

export const runCli = (args: ReadonlyArray<string>, env: Record<string, string>): Promise<Ran> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliBundle, ...args], {
      env: { PATH: process.env["PATH"] ?? "", XDG_CACHE_HOME: cacheHome, ...env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()))
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000)
    child.on("error", reject)
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })

export interface RunningProxy {
  readonly url: string
  readonly child: ChildProcess
  readonly output: () => string
  readonly exit: Promise<number | null>
}

export const startProxy = (upstreamUrl: string, env: Record<string, string> = {}): Promise<RunningProxy> => {
  const child = spawn(process.execPath, [proxyBundle], {
    env: {
      PATH: process.env["PATH"] ?? "",
      PORT: "0",
      OPENAI_API_KEY: upstreamKey,
      OPENAI_BASE_URL: upstreamUrl,
      FILEBATCH_MAX_RETRIES: String(retries),
      FILEBATCH_TIMEOUT: `${timeoutMs} millis`,
      FILEBATCH_PROXY_KEYS: JSON.stringify([
        { name: "reliability", sha256: createHash("sha256").update(clientKey).digest("hex"), vectorStores: "*" }
      ]),
      ...env
    },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let output = ""
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  const killer = setTimeout(() => child.kill("SIGKILL"), 300_000)
  void exit.then(() => clearTimeout(killer))
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString()
      const match = output.match(/"message":"listening".*?"url":"(http:\/\/[^"]+)"/)
      if (match) resolve({ url: match[1], child, output: () => output, exit })
    })
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()))
    void exit.then((code) => reject(new Error(`proxy exited (${code}) before listening:\n${output}`)))
  })
}

export const proxyCancel = async (proxyUrl: string, ref: { vectorStoreId: string; batchId: string }) => {
  const response = await fetch(`${proxyUrl}/v1/vector_stores/${ref.vectorStoreId}/file_batches/${ref.batchId}/cancel`, {
    method: "POST",
    headers: { authorization: `Bearer ${clientKey}` },
    signal: AbortSignal.timeout(20_000)
  })
  const text = await response.text()
  return { status: response.status, text }
}
