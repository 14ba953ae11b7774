/** `filebatch audit` against a bundled proxy keeping its trail in a file: lines for people, NDJSON, mistakes. */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import {
  adminUrlOf,
  request,
  runCli,
  type RunningEmulator,
  type RunningProxy,
  seedBatch,
  sha256,
  startEmulator,
  startProxy,
  trailFile
} from "@filebatch/testkit"

const upstreamKey = "sk-audit-upstream-000111"
const clientKey = "sk-audit-client-team-a-222"
let upstream: RunningEmulator
let proxy: RunningProxy
let admin: string

beforeAll(async () => {
  upstream = await startEmulator({ keys: [upstreamKey] })
  proxy = await startProxy({
    upstreamUrl: upstream.emulator.url,
    upstreamKey,
    clients: [{ name: "team-a", key: clientKey, vectorStores: "*" }],
    env: {
      FILEBATCH_PROXY_AUDIT_FILE: trailFile(),
      FILEBATCH_PROXY_ADMIN_PORT: "0"
    }
  })
  admin = await adminUrlOf(proxy)
}, 60_000)

afterAll(async () => {
  await proxy?.stop()
  await upstream?.close()
})

describe("filebatch audit", () => {
  it("shows who cancelled a batch, as lines or as the records themselves", async () => {
    const ref = await seedBatch(upstream.emulator)
    const viaProxy = { OPENAI_API_KEY: clientKey, OPENAI_BASE_URL: `${proxy.url}/v1` }
    expect((await runCli(["cancel", ref.vectorStoreId, ref.batchId], viaProxy)).code).toBe(0)
    const other = await seedBatch(upstream.emulator)
    expect((await runCli(["cancel", other.vectorStoreId, other.batchId], viaProxy)).code).toBe(0)

    const lines = await runCli(["audit", "--admin-url", admin, "--batch", ref.batchId])
    expect(lines.code, lines.stderr).toBe(0)
    expect(lines.stdout.trim().split("\n")).toHaveLength(1)
    expect(lines.stdout).toMatch(
      new RegExp(
        `^\\S+Z  team-a  cancel  ${ref.vectorStoreId}  ${ref.batchId}  200  \\w+  attempts=1  request=\\S+\\n$`
      )
    )
    const json = await runCli(["audit", "--key", "team-a", "--json"], { FILEBATCH_PROXY_ADMIN_URL: admin })
    const records = json.stdout.trim().split("\n").map((line) => JSON.parse(line))
    expect(records.map((record) => record.batch_id)).toEqual([ref.batchId, other.batchId])
    expect(records[0]).toHaveProperty("hash")
    const none = await runCli(["audit", "--admin-url", admin, "--key", "team-z"])
    expect(none).toMatchObject({ code: 0, stdout: "", stderr: "no matching records\n" })
    // The trail is the admin port's alone.
    expect((await request(`${proxy.url}/audit`, { bearer: clientKey })).status).toBe(404)
    expect(JSON.stringify(records)).not.toContain(clientKey)
    expect(JSON.stringify(records)).not.toContain(sha256(clientKey))
  })

  it("says what is wrong: no URL, a bad filter, a proxy that is not there", async () => {
    expect(await runCli(["audit"])).toMatchObject({
      code: 2,
      stderr: "filebatch: give the proxy's admin URL: --admin-url or FILEBATCH_PROXY_ADMIN_URL\n"
    })
    const badTime = await runCli(["audit", "--admin-url", admin, "--since", "yesterday"])
    expect(badTime.code).toBe(2)
    expect(badTime.stderr).toContain("since must be an ISO 8601 time")
    const gone = await runCli(["audit", "--admin-url", "http://127.0.0.1:1"])
    expect(gone.code).toBe(6)
    expect(gone.stderr).toContain("could not reach the proxy's admin port at http://127.0.0.1:1")
  })
})
