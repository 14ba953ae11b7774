import { createHash } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { type Ran, runNode, type Spawned, spawnNode } from "./spawn.js"

/** The bundled deployables, as `pnpm build` leaves them. */
export const cliBundle = fileURLToPath(new URL("../../../apps/cli/dist/filebatch.cjs", import.meta.url))
export const proxyBundle = fileURLToPath(new URL("../../../apps/proxy/dist/proxy.mjs", import.meta.url))

const cliCacheHome = mkdtempSync(join(tmpdir(), "filebatch-test-cache-"))

/** Runs the bundled CLI to its end with only `env` (and a private code cache folder). */
export const runCli = (args: ReadonlyArray<string>, env: Record<string, string> = {}, stdin?: string): Promise<Ran> =>
  runNode(cliBundle, args, { XDG_CACHE_HOME: cliCacheHome, ...env }, stdin)

/** A client key the proxy accepts, and the vector stores it may touch. */
export interface ProxyClient {
  readonly name: string
  readonly key: string
  readonly vectorStores: ReadonlyArray<string> | "*"
  /** Core's operation names the key may call, or "*"; absent: the proxy's default. */
  readonly operations?: ReadonlyArray<string> | "*"
}

export const sha256 = (text: string) => createHash("sha256").update(text).digest("hex")

/** A proxy started from its bundle, listening. */
export interface RunningProxy extends Spawned {
  readonly url: string
}

/** The URL of a proxy's admin port (FILEBATCH_PROXY_ADMIN_PORT), once it logs that it listens there. */
export const adminUrlOf = async (proxy: RunningProxy): Promise<string> =>
  (await proxy.waitFor(/"message":"admin listening".*?"url":"(http:\/\/[^"]+)"/))[1]!

/** A path for an audit trail file, in a folder of its own. */
export const trailFile = (): string => join(mkdtempSync(join(tmpdir(), "filebatch-audit-")), "trail.jsonl")

/**
 * Starts the bundled proxy on a free loopback port in front of `upstreamUrl`, with no
 * drain delay unless `env` sets one; resolves once it logs that it listens.
 */
export const startProxy = async (options: {
  readonly upstreamUrl: string
  readonly upstreamKey: string
  readonly clients: ReadonlyArray<ProxyClient>
  readonly env?: Record<string, string>
}): Promise<RunningProxy> => {
  const keys = options.clients.map((client) => ({
    name: client.name,
    sha256: sha256(client.key),
    vectorStores: client.vectorStores,
    ...(client.operations === undefined ? {} : { operations: client.operations })
  }))
  // Each proxy its own audit spool (used with Redis), as each replica of a deployment has: removed when it ends.
  const spoolFolder = mkdtempSync(join(tmpdir(), "filebatch-spool-"))
  const spawned = spawnNode(proxyBundle, [], {
    PORT: "0",
    OPENAI_API_KEY: options.upstreamKey,
    OPENAI_BASE_URL: options.upstreamUrl,
    FILEBATCH_PROXY_KEYS: JSON.stringify(keys),
    FILEBATCH_PROXY_DRAIN_DELAY: "0 millis",
    FILEBATCH_PROXY_AUDIT_SPOOL: join(spoolFolder, "audit-spool.jsonl"),
    ...options.env
  })
  void spawned.exit.then(() => rmSync(spoolFolder, { recursive: true, force: true }))
  const [, url] = await spawned.waitFor(/"message":"listening".*?"url":"(http:\/\/[^"]+)"/)
  return { ...spawned, url: url! }
}
