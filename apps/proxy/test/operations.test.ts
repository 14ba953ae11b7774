import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { spawn } from "node:child_process"
import { createHash } from "node:crypto"
import { createServer } from "node:http"
import {
  bundle,
  call,
  clientKeys,
  errorOf,
  seed,
  startEmulator,
  startProxy,
  upstreamKey,
  upstreamRequests
} from "./harness.js"

const exitOf = (env: Record<string, string>) =>
  new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(process.execPath, [bundle], { env: { PATH: process.env["PATH"] ?? "", PORT: "0", ...env } })
    let output = ""
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()))
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000)
    child.on("exit", (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })

describe("proxy operations", () => {
  it("per-key rate limit answers 429 with retry-after and x-ratelimit headers", async () => {
    const upstream = await startEmulator()
    const proxy = await startProxy(upstream.emulator, {
      FILEBATCH_PROXY_RATE_LIMIT: "2",
      FILEBATCH_PROXY_RATE_LIMIT_WINDOW: "1 minutes"
    })
    try {
      const { batchId, vectorStoreId } = await seed(upstream.emulator)
      const path = `/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}`
      const first = await call(proxy.url, "GET", path)
      expect(first.status).toBe(200)
      expect(first.headers.get("x-ratelimit-limit-requests")).toBe("2")
      expect(first.headers.get("x-ratelimit-remaining-requests")).toBe("1")
      await call(proxy.url, "GET", path)
      const limited = await call(proxy.url, "GET", path)
      expect(limited.status).toBe(429)
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1)
      expect(limited.headers.get("x-ratelimit-remaining-requests")).toBe("0")
      expect(errorOf(limited)).toMatchObject({ code: "rate_limit_exceeded", type: "requests" })
      expect((await upstreamRequests(upstream.emulator)).length).toBe(2)
      const metrics = (await call(proxy.url, "GET", "/metrics")).text
      expect(metrics).toMatch(/filebatch_proxy_rate_limited_total\{key="team-a"\} 1/)
    } finally {
      await proxy.stop()
      await upstream.close()
    }
  })

  it("sheds load past the upstream bound with 503 and retry-after instead of queueing without end", async () => {
    const upstream = await startEmulator()
    const proxy = await startProxy(upstream.emulator, {
      FILEBATCH_PROXY_MAX_UPSTREAM_CONCURRENCY: "1",
      FILEBATCH_PROXY_MAX_QUEUE: "1"
    })
    try {
      const batches = await Promise.all([1, 2, 3, 4].map(() => seed(upstream.emulator)))
      await Effect.runPromise(upstream.emulator.addFaults([
        { operation: "retrieve", times: "always", fault: { kind: "latency", millis: 1500 } }
      ]))
      const replies = await Promise.all(
        batches.map(({ batchId, vectorStoreId }, i) =>
          new Promise((resolve) => setTimeout(resolve, i * 30)).then(() =>
            call(proxy.url, "GET", `/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}`)
          )
        )
      )
      const statuses = replies.map((r) => r.status)
      expect(statuses.filter((s) => s === 200)).toHaveLength(2)
      const shed = replies.filter((r) => r.status === 503)
      expect(shed).toHaveLength(2)
      expect(shed[0].headers.get("retry-after")).toBe("1")
      expect(errorOf(shed[0])["code"]).toBe("overloaded")
      expect((await call(proxy.url, "GET", "/metrics")).text).toMatch(/filebatch_proxy_shed_total 2/)
    } finally {
      await proxy.stop()
      await upstream.close()
    }
  })

  it("a hung upstream ends in a 504 after the upstream timeout, not when the client gives up", async () => {
    const upstream = await startEmulator()
    const proxy = await startProxy(upstream.emulator, { FILEBATCH_TIMEOUT: "300 millis", FILEBATCH_MAX_RETRIES: "1" })
    try {
      const { batchId, vectorStoreId } = await seed(upstream.emulator)
      await Effect.runPromise(upstream.emulator.addFaults([{ batchId, times: "always", fault: { kind: "hang" } }]))
      const started = Date.now()
      const pending = call(proxy.url, "GET", `/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}`)
      // While it hangs, the in-flight gauges count it (the scrape itself is a request too).
      await new Promise((resolve) => setTimeout(resolve, 100))
      const during = (await call(proxy.url, "GET", "/metrics")).text
      expect(during).toMatch(/^filebatch_proxy_in_flight_requests 2$/m)
      expect(during).toMatch(/^filebatch_proxy_upstream_in_flight 1$/m)
      const reply = await pending
      expect(reply.status).toBe(504)
      expect(errorOf(reply)["code"]).toBe("upstream_timeout")
      expect(Date.now() - started).toBeLessThan(5_000)
      expect((await upstreamRequests(upstream.emulator)).filter((e) => e.batchId === batchId)).toHaveLength(2)
      // The failed call's attempts are counted too: two attempts, one retry.
      const metrics = (await call(proxy.url, "GET", "/metrics")).text
      expect(metrics).toMatch(/^filebatch_proxy_upstream_attempts_total 2$/m)
      expect(metrics).toMatch(/^filebatch_proxy_upstream_retries_total 1$/m)
      expect(metrics).toMatch(/^filebatch_proxy_upstream_in_flight 0$/m)
      await new Promise((resolve) => setTimeout(resolve, 50))
      expect(proxy.output()).toMatch(/"status":504,.*"upstream_attempts":2/)
    } finally {
      await proxy.stop()
      await upstream.close()
    }
  })

  it("a client that goes away mid-call frees its place: no request or upstream call is left counted", async () => {
    const upstream = await startEmulator()
    const proxy = await startProxy(upstream.emulator, {
      FILEBATCH_TIMEOUT: "30 seconds",
      FILEBATCH_PROXY_MAX_UPSTREAM_CONCURRENCY: "1",
      FILEBATCH_PROXY_MAX_QUEUE: "1"
    })
    try {
      const { batchId, vectorStoreId } = await seed(upstream.emulator)
      await Effect.runPromise(upstream.emulator.addFaults([{ batchId, times: "always", fault: { kind: "hang" } }]))
      const path = `/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}`
      // One call holds the only upstream permit, a second waits in the queue; both clients give up.
      const clients = [new AbortController(), new AbortController()]
      const gone = clients.map((client) =>
        fetch(`${proxy.url}${path}`, { headers: { authorization: `Bearer ${clientKeys.a}` }, signal: client.signal })
          .catch(() => "aborted")
      )
      await new Promise((resolve) => setTimeout(resolve, 200))
      const during = (await call(proxy.url, "GET", "/metrics")).text
      expect(during).toMatch(/^filebatch_proxy_in_flight_requests 3$/m)
      expect(during).toMatch(/^filebatch_proxy_upstream_in_flight 1$/m)
      for (const client of clients) client.abort()
      expect(await Promise.all(gone)).toEqual(["aborted", "aborted"])
      await new Promise((resolve) => setTimeout(resolve, 200))
      const after = (await call(proxy.url, "GET", "/metrics")).text
      expect(after).toMatch(/^filebatch_proxy_in_flight_requests 1$/m)
      expect(after).toMatch(/^filebatch_proxy_upstream_in_flight 0$/m)
      // The permit and the queue place are free again: a new call is not shed.
      await Effect.runPromise(upstream.emulator.clearFaults)
      const next = await call(proxy.url, "GET", path)
      expect(next.status).toBe(200)
    } finally {
      await proxy.stop()
      await upstream.close()
    }
  })

  it("on SIGTERM: readiness fails, new connections are refused, in-flight requests finish, exit 0", async () => {
    const upstream = await startEmulator()
    const proxy = await startProxy(upstream.emulator, { FILEBATCH_PROXY_SHUTDOWN_GRACE: "5 seconds" })
    const batches = await Promise.all([1, 2, 3, 4, 5].map(() => seed(upstream.emulator)))
    await Effect.runPromise(upstream.emulator.addFaults([
      { operation: "cancel", times: "always", fault: { kind: "latency", millis: 1500 } }
    ]))
    const inFlight = batches.map(({ batchId, vectorStoreId }) =>
      call(proxy.url, "POST", `/v1/vector_stores/${vectorStoreId}/file_batches/${batchId}/cancel`)
    )
    // Long enough for every request to be in flight, even on a loaded machine.
    await new Promise((resolve) => setTimeout(resolve, 500))
    proxy.child.kill("SIGTERM")
    await new Promise((resolve) => setTimeout(resolve, 100))
    const refused = await call(proxy.url, "GET", "/readyz").then((r) => r.status, () => "refused")
    expect(refused === "refused" || refused === 503).toBe(true)
    const answers = await Promise.all(inFlight)
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200])
    expect(await proxy.exit).toBe(0)
    expect(proxy.output()).toMatch(/"message":"draining"/)
    expect(proxy.output()).toMatch(/"level":"info","message":"stopped","in_flight":0/)
    expect(proxy.output()).not.toContain(upstreamKey)
    await upstream.close()
  })

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
        { OPENAI_API_KEY: upstreamKey, FILEBATCH_PROXY_KEYS_FILE: "/nonexistent/keys.json" },
        /FILEBATCH_PROXY_KEYS_FILE .*cannot read/
      ],
      [{ FILEBATCH_PROXY_KEYS: good }, /OPENAI_API_KEY/],
      [{ OPENAI_API_KEY: upstreamKey, FILEBATCH_PROXY_KEYS: good, PORT: "99999" }, /PORT must be/],
      [
        { OPENAI_API_KEY: upstreamKey, FILEBATCH_PROXY_KEYS: good, FILEBATCH_PROXY_MAX_QUEUE: "lots" },
        /FILEBATCH_PROXY_MAX_QUEUE/
      ],
      [
        { OPENAI_API_KEY: upstreamKey, FILEBATCH_PROXY_KEYS: good, OPENAI_BASE_URL: "ftp://x" },
        /baseUrl must use http or https/
      ]
    ]
    for (const [env, message] of cases) {
      const { code, output } = await exitOf(env)
      expect(code, JSON.stringify(env)).not.toBe(0)
      expect(output, JSON.stringify(env)).toMatch(message)
      expect(output.trim().split("\n")).toHaveLength(1)
      expect(output).toMatch(/^filebatch-proxy: invalid configuration: /)
      expect(output).not.toContain(upstreamKey)
    }
  }, 60_000)

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
