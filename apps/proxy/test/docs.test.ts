/**
 * `/docs` in a real headless browser (Debian's chromium, driven by playwright-core): the
 * page shows both operations, and every file it loads comes from the proxy itself.
 * `.ci/run` installs chromium; where it is missing the test says so and is skipped.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { existsSync } from "node:fs"
import { chromium } from "playwright-core"
import { type RunningEmulator, type RunningProxy, startEmulator, startProxy } from "./harness.js"

const executablePath = "/usr/bin/chromium"
const haveChromium = existsSync(executablePath)
if (!haveChromium) console.warn(`docs.test.ts: ${executablePath} is missing (apt-get install chromium); skipped`)

let upstream: RunningEmulator
let proxy: RunningProxy

beforeAll(async () => {
  if (!haveChromium) return
  upstream = await startEmulator()
  proxy = await startProxy(upstream.emulator)
})

afterAll(async () => {
  await proxy?.stop()
  await upstream?.close()
})

describe("/docs in a headless browser", () => {
  it.skipIf(!haveChromium)("shows both operations, loading nothing from anywhere but the proxy", async () => {
    // Flags as the machine's notes advise: no background networking to hosts it cannot reach.
    const browser = await chromium.launch({
      executablePath,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync"
      ]
    })
    try {
      const page = await browser.newPage()
      const requested: Array<string> = []
      const problems: Array<string> = []
      page.on("request", (request) => requested.push(request.url()))
      page.on("requestfailed", (request) => problems.push(`failed: ${request.url()}`))
      page.on("response", (answer) => {
        if (answer.status() >= 400) problems.push(`${answer.status()}: ${answer.url()}`)
      })
      page.on("console", (message) => {
        if (message.type() === "error") problems.push(`console: ${message.text()}`)
      })
      page.on("pageerror", (error) => problems.push(`page: ${error.message}`))
      const response = await page.goto(`${proxy.url}/docs`)
      expect(response?.status()).toBe(200)
      expect(response?.headers()["content-security-policy"]).toMatch(/default-src 'self'/)
      // Swagger UI renders one block per operation once it has read /openapi.json.
      const paths = page.locator(".opblock-summary-path")
      await paths.filter({ hasText: "/cancel" }).first().waitFor({ timeout: 60_000 })
      const shown = await paths.allInnerTexts()
      expect(shown.map((text) => text.replace(/\u200b/g, ""))).toEqual(expect.arrayContaining([
        "/v1/vector_stores/{vector_store_id}/file_batches/{batch_id}/cancel",
        "/v1/vector_stores/{vector_store_id}/file_batches/{batch_id}"
      ]))
      expect(requested.length).toBeGreaterThanOrEqual(4)
      expect(requested.filter((url) => !url.startsWith(proxy.url))).toEqual([])
      expect(problems).toEqual([])
    } finally {
      await browser.close()
    }
  })
})
