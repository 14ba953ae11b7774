import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createServer } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import {
  adminUrlOf,
  bundle,
  call,
  clientKeys,
  errorOf,
  eventually,
  run,
  seed,
  sha256,
  spawnNode,
  startEmulator,
  startProxy,
  untilHeld,
  untilRequest,
  upstreamKey,
  upstreamRequests,
  withProxy
} from "./harness.js"

const exitOf = async (env: Record<string, string>) => {
  const started = spawnNode(bundle, [], { PORT: "0", ...env })
  const code = await started.exit
  return { code, output: started.output() }
}

describe("proxy operations", () => {
  it("per-key rate limit answers 429 with retry-after and x-ratelimit headers", async () => {
    await withProxy({
      FILEBATCH_PROXY_RATE_LIMIT: "2",
      FILEBATCH_PROXY_RATE_LIMIT_WINDOW: "1 minutes"
    }, async (upstream, proxy) => {
      const { batchId, vectorStoreId } = await seed(upstream.emulator)
      const path = `/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}`
      // IDs are checked completely before anything is spent: a swapped pair takes no token.
      const swapped = await call(proxy.url, "GET", `/v1/vector_stores/${batchId}/file_batches/${vectorStoreId}`)
      expect(swapped.status).toBe(400)
      expect(errorOf(swapped)).toMatchObject({ param: "vector_store_id", code: "invalid_value" })
      expect(errorOf(swapped)["message"]).toMatch(/look swapped/)
      const first = await call(proxy.url, "GET", path)
      expect(first.status).toBe(200)
      expect(first.headers.get("x-ratelimit-limit-requests")).toBe("2")
      expect(first.headers.get("x-ratelimit-remaining-requests")).toBe("1")
      await call(proxy.url, "GET", path)
      const limited = await call(proxy.url, "GET", path)
      expect(limited.status).toBe(429)
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1)
      expect(limited.headers.get("x-ratelimit-remaining-requests")).toBe("0")
      // A retry after retry-after can help: the SDK is told so.
      expect(limited.headers.get("x-should-retry")).toBe("true")
      expect(errorOf(limited)).toMatchObject({ code: "rate_limit_exceeded", type: "requests" })
      expect((await upstreamRequests(upstream.emulator)).length).toBe(2)
      const metrics = (await call(proxy.url, "GET", "/metrics")).text
      expect(metrics).toMatch(/filebatch_proxy_rate_limited_total\{key="team-a"\} 1/)
    })
  })

  it("sheds load past the upstream bound with 503 and retry-after instead of queueing without end", async () => {
    await withProxy({
      FILEBATCH_PROXY_MAX_UPSTREAM_CONCURRENCY: "1",
      FILEBATCH_PROXY_MAX_QUEUE: "1"
    }, async (upstream, proxy) => {
      const batches = await Promise.all([1, 2, 3, 4].map(() => seed(upstream.emulator)))
      await run(upstream.emulator.addFaults([{ operation: "retrieve", times: "always", fault: { kind: "hold" } }]))
      const get = ({ batchId, vectorStoreId }: { batchId: string; vectorStoreId: string }) =>
        call(proxy.url, "GET", `/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}`)
      // The first call holds the only upstream place, the second the only queue place…
      const first = get(batches[0])
      await untilHeld(upstream.emulator, 1)
      const second = get(batches[1])
      await eventually(
        "the second call queued",
        async () => /^filebatch_proxy_in_flight_requests 3$/m.test((await call(proxy.url, "GET", "/metrics")).text)
      )
      // …so the next two are shed at once, while nothing moves upstream.
      const shedNow = await Promise.all([get(batches[2]), get(batches[3])])
      await run(upstream.emulator.clearFaults)
      await run(upstream.emulator.releaseHeld)
      const replies = [await first, await second, ...shedNow]
      expect(replies.map((r) => r.status)).toEqual([200, 200, 503, 503])
      const shed = replies.slice(2)
      expect(shed[0].headers.get("retry-after")).toBe("1")
      expect(shed[0].headers.get("x-should-retry")).toBe("true")
      expect(errorOf(shed[0])["code"]).toBe("overloaded")
      expect((await call(proxy.url, "GET", "/metrics")).text).toMatch(/filebatch_proxy_shed_total 2/)
    })
  })

  it("a hung upstream ends in a 504 after the upstream timeout, not when the client gives up", async () => {
    await withProxy({ FILEBATCH_TIMEOUT: "300 millis", FILEBATCH_MAX_RETRIES: "1" }, async (upstream, proxy) => {
      const { batchId, vectorStoreId } = await seed(upstream.emulator)
      await Effect.runPromise(upstream.emulator.addFaults([{ batchId, times: "always", fault: { kind: "hang" } }]))
      const started = Date.now()
      const pending = call(proxy.url, "GET", `/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}`)
      // While it hangs, the in-flight gauges count it (the scrape itself is a request too).
      await untilRequest(upstream.emulator, "the hung upstream call", (entry) => entry.batchId === batchId)
      const during = (await call(proxy.url, "GET", "/metrics")).text
      expect(during).toMatch(/^filebatch_proxy_in_flight_requests 2$/m)
      expect(during).toMatch(/^filebatch_proxy_upstream_in_flight 1$/m)
      const reply = await pending
      expect(reply.status).toBe(504)
      expect(errorOf(reply)["code"]).toBe("upstream_timeout")
      // Ended by the proxy's attempt timeouts (2 × 300 ms), far before the client's own abort (60 s).
      expect(Date.now() - started).toBeLessThan(30_000)
      expect((await upstreamRequests(upstream.emulator)).filter((e) => e.batchId === batchId)).toHaveLength(2)
      // The failed call's attempts are counted too: two attempts, one retry.
      const metrics = (await call(proxy.url, "GET", "/metrics")).text
      expect(metrics).toMatch(/^filebatch_proxy_upstream_attempts_total 2$/m)
      expect(metrics).toMatch(/^filebatch_proxy_upstream_retries_total 1$/m)
      expect(metrics).toMatch(/^filebatch_proxy_upstream_in_flight 0$/m)
      await proxy.waitFor(/"status":504,.*"upstream_attempts":2/)
    })
  })

  it("a client that goes away mid-call frees its place: no request or upstream call is left counted", async () => {
    await withProxy({
      FILEBATCH_TIMEOUT: "30 seconds",
      FILEBATCH_PROXY_MAX_UPSTREAM_CONCURRENCY: "1",
      FILEBATCH_PROXY_MAX_QUEUE: "1"
    }, async (upstream, proxy) => {
      const { batchId, vectorStoreId } = await seed(upstream.emulator)
      await Effect.runPromise(upstream.emulator.addFaults([{ batchId, times: "always", fault: { kind: "hang" } }]))
      const path = `/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}`
      // One call holds the only upstream permit, a second waits in the queue; both clients give up.
      const clients = [new AbortController(), new AbortController()]
      const gone = clients.map((client) =>
        fetch(`${proxy.url}${path}`, { headers: { authorization: `Bearer ${clientKeys.a}` }, signal: client.signal })
          .catch(() => "aborted")
      )
      await untilRequest(upstream.emulator, "the hung upstream call", (entry) => entry.batchId === batchId)
      const during = await eventually("both calls in flight", async () => {
        const text = (await call(proxy.url, "GET", "/metrics")).text
        return /^filebatch_proxy_in_flight_requests 3$/m.test(text) && text
      })
      expect(during).toMatch(/^filebatch_proxy_upstream_in_flight 1$/m)
      for (const client of clients) client.abort()
      expect(await Promise.all(gone)).toEqual(["aborted", "aborted"])
      // The proxy hears of the aborts asynchronously: wait for the counts to come down, then check both.
      const after = await eventually("the gone calls uncounted", async () => {
        const text = (await call(proxy.url, "GET", "/metrics")).text
        return /^filebatch_proxy_in_flight_requests 1$/m.test(text) &&
          /^filebatch_proxy_upstream_in_flight 0$/m.test(text) && text
      })
      expect(after).toMatch(/^filebatch_proxy_upstream_in_flight 0$/m)
      // Each request that went away has its access log line and its count (status 499, nginx's).
      const closed = await eventually("two client_closed log lines", () => {
        const lines = proxy.output().split("\n").filter((line) => line.includes("\"outcome\":\"client_closed\""))
        return lines.length === 2 && lines
      })
      for (const line of closed) {
        expect(JSON.parse(line)).toMatchObject({ status: 499, route: "retrieve", key: "team-a", batch_id: batchId })
      }
      expect(after).toMatch(/^filebatch_proxy_requests_total\{route="retrieve",status="499"\} 2$/m)
      // The permit and the queue place are free again: a new call is not shed.
      await Effect.runPromise(upstream.emulator.clearFaults)
      const next = await call(proxy.url, "GET", path)
      expect(next.status).toBe(200)
    })
  })

  it("a cancel whose caller goes away finishes the attempt in flight, and starts no retry", async () => {
    await withProxy({ FILEBATCH_MAX_RETRIES: "2" }, async (upstream, proxy) => {
      const { batchId, vectorStoreId } = await seed(upstream.emulator)
      // Every cancel of this batch waits to be released, then fails with a retryable 500.
      await run(upstream.emulator.addFaults([
        { batchId, operation: "cancel", times: "always", held: true, fault: { kind: "status", status: 500 } }
      ]))
      const client = new AbortController()
      const gone = fetch(`${proxy.url}/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}/cancel`, {
        method: "POST",
        headers: { authorization: `Bearer ${clientKeys.a}` },
        signal: client.signal
      }).catch(() => "aborted")
      await untilHeld(upstream.emulator, 1)
      client.abort()
      expect(await gone).toBe("aborted")
      await proxy.waitFor(/"status":499,.*"outcome":"client_closed"/)
      // The attempt in flight goes on to its answer (the cancel may have taken effect)…
      await run(upstream.emulator.releaseHeld)
      await eventually(
        "the call to end",
        async () =>
          /^filebatch_proxy_upstream_calls_total\{operation="cancel",outcome="ServerError"\} 1$/m.test(
            (await call(proxy.url, "GET", "/metrics")).text
          )
      )
      // …and nobody waiting for it, no retry starts.
      expect((await upstreamRequests(upstream.emulator)).filter((e) => e.batchId === batchId)).toHaveLength(1)
      expect((await call(proxy.url, "GET", "/metrics")).text).toMatch(/^filebatch_proxy_upstream_retries_total 0$/m)
    })
  })

  it("on SIGTERM: readiness fails while requests are still served, then it stops accepting, finishes in-flight, exits 0", async () => {
    const upstream = await startEmulator()
    const proxy = await startProxy(upstream.emulator, {
      FILEBATCH_PROXY_DRAIN_DELAY: "5 seconds",
      FILEBATCH_PROXY_SHUTDOWN_GRACE: "60 seconds"
    })
    const batches = await Promise.all([1, 2, 3, 4, 5].map(() => seed(upstream.emulator)))
    await run(upstream.emulator.addFaults([{ operation: "cancel", times: "always", fault: { kind: "hold" } }]))
    const inFlight = batches.map(({ batchId, vectorStoreId }) =>
      call(proxy.url, "POST", `/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}/cancel`)
    )
    await untilHeld(upstream.emulator, 5)
    proxy.child.kill("SIGTERM")
    await proxy.waitFor(/"message":"draining"/)
    // The drain delay: not ready any more, yet a request that still comes is served.
    expect((await call(proxy.url, "GET", "/readyz")).status).toBe(503)
    const { batchId, vectorStoreId } = batches[0]
    expect((await call(proxy.url, "GET", `/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}`)).status)
      .toBe(200)
    await proxy.waitFor(/"message":"not accepting"/)
    const late = await call(proxy.url, "GET", "/readyz").then((r) => r.status, () => "refused")
    expect(late).toBe("refused")
    await run(upstream.emulator.releaseHeld)
    const answers = await Promise.all(inFlight)
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200])
    expect(await proxy.exit).toBe(0)
    expect(proxy.output()).toMatch(
      /"message":"draining".*"drain_delay_ms":5000[^]*"message":"not accepting"[^]*"message":"stopped","in_flight":0/
    )
    expect(proxy.output()).not.toContain(upstreamKey)
    await upstream.close()
  })

  it("on SIGTERM, a call that never ends holds the stop no longer than the grace: its caller gets a 503 to retry, exit 0", async () => {
    const upstream = await startEmulator()
    const proxy = await startProxy(upstream.emulator, {
      FILEBATCH_PROXY_DRAIN_DELAY: "0s",
      FILEBATCH_PROXY_SHUTDOWN_GRACE: "300 millis"
    })
    try {
      const { batchId, vectorStoreId } = await seed(upstream.emulator)
      await run(upstream.emulator.addFaults([{ batchId, operation: "cancel", fault: { kind: "hold" } }]))
      const stuck = call(proxy.url, "POST", `/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}/cancel`)
      await untilHeld(upstream.emulator, 1)
      proxy.child.kill("SIGTERM")
      // Never released: only the grace can end the wait (a hang here is the defect).
      expect(await proxy.exit).toBe(0)
      expect(proxy.output()).toMatch(/"message":"stopped","in_flight":1/)
      // The caller still waiting gets an answer it can act on: retry, elsewhere.
      const answer = await stuck
      expect(answer.status).toBe(503)
      expect(answer.headers.get("x-should-retry")).toBe("true")
      expect(errorOf(answer).code).toBe("proxy_stopping")
    } finally {
      await proxy.stop()
      await upstream.close()
    }
  })

  it.skipIf(process.getuid?.() !== 0)(
    "a keys file its user cannot read: the message says which uid must read it",
    () => {
      const folder = mkdtempSync(join(tmpdir(), "filebatch-keys-"))
      const keys = join(folder, "keys.json")
      writeFileSync(keys, "[]", { mode: 0o600 })
      chmodSync(folder, 0o755)
      // The bundle and the Node running the tests beside it: the checkout's folders, and a Node kept
      // in root's home, may be closed to other users.
      copyFileSync(bundle, join(folder, "proxy.mjs"))
      copyFileSync(process.execPath, join(folder, "node"))
      chmodSync(join(folder, "node"), 0o755)
      // As the image's user would be: not the file's owner (root here).
      const ran = spawnSync(join(folder, "node"), [join(folder, "proxy.mjs")], {
        uid: 65534,
        gid: 65534,
        env: { PATH: process.env["PATH"] ?? "", OPENAI_API_KEY: upstreamKey, FILEBATCH_PROXY_KEYS_FILE: keys },
        encoding: "utf8"
      })
      rmSync(folder, { recursive: true, force: true })
      expect(ran.status).toBe(1)
      expect(ran.stderr).toMatch(/EACCES.*runs as uid 65534: make the file readable by it, e\.g\. mode 0444/)
    }
  )

  it("a missing or malformed setting stops it with one clear message naming the variable", async () => {
    const good = JSON.stringify([
      { name: "a", sha256: createHash("sha256").update(clientKeys.a).digest("hex"), vectorStores: "*" }
    ])
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ OPENAI_API_KEY: upstreamKey }, /FILEBATCH_PROXY_KEYS .*is required/],
      [{
        OPENAI_API_KEY: upstreamKey,
        FILEBATCH_PROXY_KEYS: "[{\"name\":\"a\",\"sha256\":\"abc\",\"vectorStores\":\"*\"}]"
      }, /sha256 must be 64 hexadecimal characters/],
      [{ OPENAI_API_KEY: upstreamKey, FILEBATCH_PROXY_KEYS: "not json" }, /FILEBATCH_PROXY_KEYS: not valid JSON/],
      [
        {
          OPENAI_API_KEY: upstreamKey,
          FILEBATCH_PROXY_KEYS: JSON.stringify([...JSON.parse(good), ...JSON.parse(good)])
        },
        /FILEBATCH_PROXY_KEYS: the name "a" is given to more than one key/
      ],
      [
        {
          OPENAI_API_KEY: upstreamKey,
          FILEBATCH_PROXY_KEYS: JSON.stringify([
            ...JSON.parse(good),
            { ...JSON.parse(good)[0], name: "b", sha256: JSON.parse(good)[0].sha256.toUpperCase() }
          ])
        },
        /FILEBATCH_PROXY_KEYS: the keys "a" and "b" have the same sha256/
      ],
      [
        { OPENAI_API_KEY: upstreamKey, FILEBATCH_PROXY_KEYS_FILE: "/nonexistent/keys.json" },
        /FILEBATCH_PROXY_KEYS_FILE .*cannot read/
      ],
      [{ FILEBATCH_PROXY_KEYS: good }, /: OPENAI_API_KEY is missing: set it to an OpenAI API key$/m],
      [{ OPENAI_API_KEY: upstreamKey, FILEBATCH_PROXY_KEYS: good, LOG_LEVEL: "verbose" }, /LOG_LEVEL must be one of/],
      [
        { OPENAI_API_KEY: upstreamKey, FILEBATCH_PROXY_KEYS: good, FILEBATCH_TIMEOUT: "soon" },
        /FILEBATCH_TIMEOUT: "soon" is not a duration \(e\.g\. 500ms, 30s/
      ],
      [
        { OPENAI_API_KEY: upstreamKey, FILEBATCH_PROXY_KEYS: good, FILEBATCH_PROXY_SHUTDOWN_GRACE: "0s" },
        /FILEBATCH_PROXY_SHUTDOWN_GRACE must be more than zero/
      ],
      [{ OPENAI_API_KEY: upstreamKey, FILEBATCH_PROXY_KEYS: good, PORT: "99999" }, /PORT must be/],
      [
        { OPENAI_API_KEY: upstreamKey, FILEBATCH_PROXY_KEYS: good, FILEBATCH_PROXY_MAX_QUEUE: "lots" },
        /FILEBATCH_PROXY_MAX_QUEUE/
      ],
      [
        { OPENAI_API_KEY: upstreamKey, FILEBATCH_PROXY_KEYS: good, OPENAI_BASE_URL: "ftp://x" },
        /OPENAI_BASE_URL must use http or https/
      ]
    ]
    for (const [env, message] of cases) {
      const { code, output } = await exitOf(env)
      expect(code, JSON.stringify(env)).not.toBe(0)
      expect(output, JSON.stringify(env)).toMatch(message)
      expect(output.trim().split("\n")).toHaveLength(1)
      expect(output).toMatch(/^filebatch-proxy: invalid configuration: /)
      expect(output).not.toContain(upstreamKey)
      expect(output).not.toContain("<redacted>")
    }
  })

  it("takes durations in the one grammar of core: FILEBATCH_TIMEOUT=60s, a drain delay of 0s", async () => {
    await withProxy({
      FILEBATCH_TIMEOUT: "60s",
      FILEBATCH_DEADLINE: "2 minutes",
      FILEBATCH_PROXY_DRAIN_DELAY: "0s",
      FILEBATCH_PROXY_RATE_LIMIT_WINDOW: "1m"
    }, async (upstream, proxy) => {
      const { batchId, vectorStoreId } = await seed(upstream.emulator)
      const reply = await call(proxy.url, "GET", `/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}`)
      expect(reply.status).toBe(200)
    })
  })

  it("client keys are reloaded from their file on SIGHUP or when it changes; a bad file keeps the keys in force", async () => {
    const upstream = await startEmulator()
    const dir = mkdtempSync(join(tmpdir(), "proxy-keys-"))
    const keysFile = join(dir, "keys.json")
    const entry = (name: string, key: string) => ({ name, sha256: sha256(key), vectorStores: "*" })
    writeFileSync(keysFile, JSON.stringify([entry("team-a", clientKeys.a)]))
    const proxy = await spawnNode(bundle, [], {
      PORT: "0",
      OPENAI_API_KEY: upstreamKey,
      OPENAI_BASE_URL: upstream.emulator.url,
      FILEBATCH_PROXY_KEYS_FILE: keysFile,
      FILEBATCH_PROXY_DRAIN_DELAY: "0s"
    })
    try {
      const [, url] = await proxy.waitFor(/"message":"listening".*?"url":"(http:\/\/[^"]+)"/)
      const { batchId, vectorStoreId } = await seed(upstream.emulator)
      const path = `/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}`
      const statusWith = async (key: string) => (await call(url!, "GET", path, { key })).status
      expect([await statusWith(clientKeys.a), await statusWith(clientKeys.b)]).toEqual([200, 401])
      const lines = (pattern: RegExp) => proxy.output().split("\n").filter((line) => pattern.test(line))
      // The file changes: the new keys replace the old ones.
      writeFileSync(keysFile, JSON.stringify([entry("team-b", clientKeys.b), entry("team-c", "sk-client-team-c-1")]))
      await eventually("the reload", () => lines(/"client keys reloaded".*"trigger":"file changed"/).length === 1)
      expect(lines(/"client keys reloaded"/)[0]).toMatch(/"client_keys":2/)
      expect([await statusWith(clientKeys.a), await statusWith(clientKeys.b)]).toEqual([401, 200])
      // A bad file keeps the keys in force, and the log says why.
      writeFileSync(keysFile, "{ not json")
      await eventually("the refusal", () => lines(/"client keys not reloaded/).length === 1)
      expect(lines(/"client keys not reloaded/)[0]).toMatch(
        /"reason":"FILEBATCH_PROXY_KEYS_FILE \(.*\): not valid JSON"/
      )
      expect(await statusWith(clientKeys.b)).toBe(200)
      // SIGHUP reads the file again: once it is good again, its keys are in force.
      writeFileSync(keysFile, JSON.stringify([entry("team-a", clientKeys.a)]))
      await eventually("the second reload", () => lines(/"client keys reloaded"/).length === 2)
      proxy.child.kill("SIGHUP")
      await eventually("the reload on SIGHUP", () => lines(/"client keys reloaded".*"trigger":"SIGHUP"/).length === 1)
      expect([await statusWith(clientKeys.a), await statusWith(clientKeys.b)]).toEqual([200, 401])
      expect(proxy.output()).not.toContain(clientKeys.a)
    } finally {
      await proxy.stop()
      await upstream.close()
    }
  })

  it("FILEBATCH_PROXY_ADMIN_PORT serves /metrics on a port of its own, and no longer to clients", async () => {
    await withProxy({ FILEBATCH_PROXY_ADMIN_PORT: "0" }, async (_upstream, proxy) => {
      const admin = await adminUrlOf(proxy)
      expect((await call(proxy.url, "GET", "/metrics")).status).toBe(404)
      const scraped = await call(admin, "GET", "/metrics", { key: null })
      expect(scraped.status).toBe(200)
      expect(scraped.text).toMatch(/^filebatch_proxy_requests_total\{route="other",status="404"\} 1$/m)
      expect((await call(admin, "GET", "/readyz", { key: null })).json).toEqual({ status: "ready" })
      expect((await call(admin, "GET", "/v1/vector_stores/vs_1/file_batches/vsfb_1")).status).toBe(404)
    })
  })

  it("--help prints every setting (the README's table lists the same), --version the package's version; both start nothing", async () => {
    const help = spawnNode(bundle, ["--help"], {})
    expect(await help.exit).toBe(0)
    const names = [...help.output().matchAll(/^ {2}([A-Z][A-Z_]+) /gm)].map((match) => match[1])
    expect(names).toEqual(expect.arrayContaining(["OPENAI_API_KEY", "FILEBATCH_PROXY_DRAIN_DELAY", "LOG_LEVEL"]))
    expect(help.output()).not.toMatch(/invalid configuration/)
    const readme = readFileSync(fileURLToPath(new URL("../README.md", import.meta.url)), "utf8")
    const table = readme.slice(readme.indexOf("## Settings"), readme.indexOf("## Performance"))
    const documented = [...table.matchAll(/`([A-Z][A-Z_]+)`/g)].map((match) => match[1])
    expect([...new Set(documented)].sort()).toEqual([...names].sort())
    const version = spawnNode(bundle, ["--version"], {})
    expect(await version.exit).toBe(0)
    const packageJson = JSON.parse(readFileSync(fileURLToPath(new URL("../package.json", import.meta.url)), "utf8"))
    expect(version.output()).toBe(`${packageJson.version}\n`)
    const stray = spawnNode(bundle, ["--port", "1"], {})
    expect(await stray.exit).toBe(2)
    expect(stray.output()).toMatch(/^filebatch-proxy: takes no arguments/)
  })

  it("audit verify --help is one compact page: usage, a line per flag, examples, exit codes", async () => {
    for (const args of [["audit", "verify", "--help"], ["audit", "-h"]]) {
      const page = spawnNode(bundle, args, {})
      expect(await page.exit).toBe(0)
      const lines = page.output().trimEnd().split("\n")
      expect(lines[0]).toBe("Usage: filebatch-proxy audit verify [flags]")
      expect(lines.length).toBeLessThanOrEqual(25)
      expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(100)
      expect(page.output()).toMatch(/^ {2}--file string\.\.\. +A trail file, oldest first/m)
      expect(page.output()).toMatch(/^Exit codes: 0 intact, 1 broken/m)
    }
  })

  it("an address in use stops it with one clear message", async () => {
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve))
    const { port } = taken.address() as { port: number }
    try {
      const good = JSON.stringify([
        { name: "a", sha256: createHash("sha256").update(clientKeys.a).digest("hex"), vectorStores: "*" }
      ])
      const { code, output } = await exitOf({
        OPENAI_API_KEY: upstreamKey,
        FILEBATCH_PROXY_KEYS: good,
        HOST: "127.0.0.1",
        PORT: String(port)
      })
      expect(code).toBe(1)
      expect(output.trim()).toBe(`filebatch-proxy: cannot listen on 127.0.0.1:${port}: EADDRINUSE`)
    } finally {
      taken.close()
    }
  })
})
