// What a user outside this repository does with the published packages, each route in an
// empty folder of its own, with its own HOME and package cache, reading only the registry, on
// a machine whose `node` (and so npm's and npx's) is the Node filebatch ships
// (shipped-node.json), whichever Node runs this check.
import { createHash } from "node:crypto"
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { shipped, shippedNode } from "../../../scripts/shipped-node.mjs"
import { emulatorHttp } from "./emulatorHttp.mjs"
import { pnpm, run, start } from "./exec.mjs"

const root = fileURLToPath(new URL("../../../", import.meta.url))
const emulatorKey = "sk-filebatch-emulator"
// The user's Node: first on every route's PATH.
const userNodeBin = dirname(shippedNode())
export const userNode = `v${shipped.version}`

// The Effect 3 line, pinned as the README tells users to (npm's `latest` is Effect 4).
const effectLine = ["effect@3.22", "@effect/platform@0.97", "@effect/platform-node@0.108"]

/** An empty folder under the check's work folder, and an environment with nothing of this machine's npm setup. */
const userFolder = ({ registry, work }, name) => {
  const folder = mkdtempSync(join(work, `${name}-`))
  const env = {
    PATH: `${userNodeBin}:${process.env.PATH}`,
    HOME: folder,
    // Loopback only: the registry is local, and it alone talks to the public registry.
    npm_config_registry: registry,
    npm_config_cache: join(folder, ".npm-cache"),
    npm_config_update_notifier: "false",
    npm_config_fund: "false",
    npm_config_audit: "false",
    XDG_CACHE_HOME: join(folder, ".cache")
  }
  return { folder, env }
}

/**
 * The emulator from the registry (npx), on a free loopback port, with one batch of `files` files.
 * Its batches are held where they start: a batch is still in progress however long an install
 * or a type-check takes before the cancel, and moves on only after `cancelled(…)`.
 */
const startEmulator = async (user, files = 40) => {
  const { env, folder } = userFolder(user, "emulator")
  const emulator = start("npx", [
    "-y",
    `@filebatch/emulator@${user.version}`,
    "--port",
    "0",
    "--file-ms",
    "200",
    "--parallelism",
    "2",
    "--cancel-delay-ms",
    "100",
    "--hold"
  ], { cwd: folder, env })
  const [, url] = await emulator.waitFor(/listening on (http:\/\/\S+\/v1)/, 300_000)
  const api = emulatorHttp(url, emulatorKey)
  return {
    url,
    api,
    seed: () => api.seed(files),
    /**
     * `program` (a running `run(…)`) once the emulator has answered its cancel of `batchId`
     * and batch time has gone on: the cancel met a batch in progress, and can then finish.
     */
    cancelled: async (batchId, program) => {
      let ended = false
      const settled = program.then(() => (ended = true), () => (ended = true))
      if (await api.answered("cancel", batchId, () => ended)) await api.resumeProgress()
      await settled
      return program
    },
    stop: emulator.stop
  }
}

const readmeExample = () => {
  const readme = readFileSync(join(root, "README.md"), "utf8")
  const section = readme.slice(readme.indexOf("## Compose core into your Effect program"))
  const match = /```ts\n([^]*?)```/.exec(section)
  if (match === null) throw new Error("no ts example under 'Compose core' in README.md")
  return match[1]
}

/**
 * The README's example as a user copies it: installed with `manager`, type-checked by tsc
 * against the installed packages' own types, run against the emulator (with the IDs of a
 * batch it made in place of the example's).
 */
export const composeExample = async (user, manager) => {
  const { env, folder } = userFolder(user, `compose-${manager}`)
  writeFileSync(join(folder, "package.json"), JSON.stringify({ name: "my-app", private: true, type: "module" }))
  writeFileSync(
    join(folder, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        outDir: "dist",
        types: ["node"],
        // As Effect's own templates set it: the Effect packages' declarations reach optional
        // modules (ws) a user need not install. The example itself is checked strictly.
        skipLibCheck: true
      },
      include: ["main.ts"]
    })
  )
  const packages = [
    `@filebatch/core@${user.version}`,
    `@filebatch/emulator@${user.version}`,
    ...effectLine,
    "typescript@5.9",
    `@types/node@${shipped.version.split(".")[0]}`
  ]
  if (manager === "npm") {
    await run("npm", ["install", ...packages], { cwd: folder, env })
  } else {
    // pnpm reads its registry from .npmrc, as a user pointing it at a private registry writes it.
    writeFileSync(join(folder, ".npmrc"), `registry=${user.registry}\n`)
    // pnpm stops until each install script is allowed or refused; @effect/platform-node's
    // optional native speed-ups have pure-JS fallbacks (core's README says so).
    writeFileSync(
      join(folder, "pnpm-workspace.yaml"),
      "allowBuilds:\n  \"@parcel/watcher\": false\n  msgpackr-extract: false\n"
    )
    await pnpm(["add", ...packages, "--store-dir", join(folder, ".pnpm-store")], { cwd: folder, env })
  }
  const emulator = await startEmulator(user)
  try {
    const { batchId, vectorStoreId } = await emulator.seed()
    const source = readmeExample().replaceAll("vs_abc123", vectorStoreId).replaceAll("vsfb_abc123", batchId)
    writeFileSync(join(folder, "main.ts"), source)
    await run(join(folder, "node_modules/.bin/tsc"), ["-p", "."], { cwd: folder, env })
    const ran = await emulator.cancelled(
      batchId,
      run("node", ["dist/main.js"], {
        cwd: folder,
        env: { ...env, OPENAI_API_KEY: emulatorKey, OPENAI_BASE_URL: emulator.url }
      })
    )
    if (!new RegExp(`^${batchId}: cancelled, \\d+ files cancelled$`, "m").test(ran.stdout)) {
      throw new Error(`the example printed:\n${ran.stdout}${ran.stderr}`)
    }
    return ran.stdout.trim()
  } finally {
    await emulator.stop()
  }
}

/** The CLI through npx, and installed globally into a prefix of its own. */
export const cliRoutes = (user) => [
  ["npx @filebatch/cli cancel --wait --json against the emulator from the registry", async () => {
    const emulator = await startEmulator(user)
    try {
      const { batchId, vectorStoreId } = await emulator.seed()
      const { env, folder } = userFolder(user, "cli-npx")
      const ran = await emulator.cancelled(
        batchId,
        run(
          "npx",
          ["-y", `@filebatch/cli@${user.version}`, "cancel", vectorStoreId, batchId, "--wait", "--json"],
          { cwd: folder, env: { ...env, OPENAI_API_KEY: emulatorKey, OPENAI_BASE_URL: emulator.url } }
        )
      )
      const last = JSON.parse(ran.stdout.trim().split("\n").at(-1))
      if (last.id !== batchId || last.status !== "cancelled") throw new Error(`last snapshot: ${ran.stdout}`)
      return `${batchId} cancelled, ${last.file_counts.cancelled} files`
    } finally {
      await emulator.stop()
    }
  }],
  [
    "npm i -g @filebatch/cli: filebatch --version, its first run on the shipped Node served by the shipped code cache",
    async () => {
      const { env, folder } = userFolder(user, "cli-global")
      const prefix = join(folder, "prefix")
      await run("npm", ["install", "-g", "--prefix", prefix, `@filebatch/cli@${user.version}`], { cwd: folder, env })
      const installed = readdirSync(join(prefix, "lib/node_modules/@filebatch/cli"))
      if (installed.includes("node_modules")) throw new Error("the global install pulled dependencies")
      const cacheHome = join(folder, "empty-cache")
      mkdirSync(cacheHome)
      const ran = await run(join(prefix, "bin/filebatch"), ["--version"], {
        cwd: folder,
        env: { ...env, XDG_CACHE_HOME: cacheHome }
      })
      if (ran.stdout !== `${user.version}\n`) {
        throw new Error(
          `filebatch --version printed ${JSON.stringify(ran.stdout)}`
        )
      }
      // A rejected (or missing) shipped cache makes the launcher write the user's own.
      const written = readdirSync(cacheHome, { recursive: true })
      if (written.length > 0) throw new Error(`the shipped code cache was not used: it wrote ${written.join(", ")}`)
      return `filebatch ${ran.stdout.trim()}, one package installed, shipped code cache accepted`
    }
  ]
]

/**
 * The proxy through npx with a keys file, and the official openai package as its client. The
 * batch is held in progress, so the cancel the SDK sends through the proxy must reach the
 * emulator with the organisation's key and come back as the batch it stopped: `in_progress`
 * (the real API's answer while a cancel takes effect), not a finished batch's refusal.
 */
export const proxyRoute = async (user) => {
  const emulator = await startEmulator(user)
  const { env, folder } = userFolder(user, "proxy")
  const clientKey = "sk-team-release-check-1234"
  const keysFile = join(folder, "keys.json")
  writeFileSync(
    keysFile,
    JSON.stringify([{
      name: "release-check",
      sha256: createHash("sha256").update(clientKey).digest("hex"),
      vectorStores: "*"
    }])
  )
  const proxy = start("npx", ["-y", `@filebatch/proxy@${user.version}`], {
    cwd: folder,
    env: {
      ...env,
      PORT: "0",
      HOST: "127.0.0.1",
      OPENAI_API_KEY: emulatorKey,
      OPENAI_BASE_URL: emulator.url,
      FILEBATCH_PROXY_KEYS_FILE: keysFile,
      FILEBATCH_PROXY_DRAIN_DELAY: "0s"
    }
  })
  try {
    const [, url] = await proxy.waitFor(/"message":"listening".*?"url":"(http:\/\/[^"]+)"/, 300_000)
    const { batchId, vectorStoreId } = await emulator.seed()
    writeFileSync(join(folder, "package.json"), JSON.stringify({ name: "sdk-user", private: true, type: "module" }))
    // The newest openai 7.x, as a user installing it today gets it (it needs Node 22 or later).
    await run("npm", ["install", "openai@7"], { cwd: folder, env })
    writeFileSync(
      join(folder, "client.mjs"),
      `import OpenAI from "openai"
const openai = new OpenAI({ apiKey: process.env.TEAM_KEY, baseURL: process.env.PROXY_URL + "/v1" })
const batch = await openai.vectorStores.fileBatches.cancel(process.argv[3], { vector_store_id: process.argv[2] })
const files = await openai.vectorStores.fileBatches.listFiles(process.argv[3], { vector_store_id: process.argv[2], limit: 5 })
const { VERSION } = await import("openai/version")
console.log(JSON.stringify({ id: batch.id, status: batch.status, listed: files.data.length, sdk: VERSION, node: process.version }))
`
    )
    const ran = await run("node", ["client.mjs", vectorStoreId, batchId], {
      cwd: folder,
      env: { ...env, TEAM_KEY: clientKey, PROXY_URL: url }
    })
    const seen = JSON.parse(ran.stdout)
    if (seen.id !== batchId || seen.status !== "in_progress" || seen.listed !== 5) {
      throw new Error(`the SDK saw ${ran.stdout}`)
    }
    if (!(await emulator.api.answered("cancel", batchId, () => true))) {
      throw new Error("the emulator never answered the cancel")
    }
    if (proxy.output().includes(clientKey) || proxy.output().includes(emulatorKey)) {
      throw new Error("a key reached the proxy's output")
    }
    if (seen.node !== userNode || !seen.sdk.startsWith("7.")) throw new Error(`the SDK ran as ${ran.stdout}`)
    return `openai ${seen.sdk} on Node ${seen.node}: cancel answered ${seen.status}, ${seen.listed} files listed`
  } finally {
    await proxy.stop()
    await emulator.stop()
  }
}
