// Herd: 1000 concurrent identical cancels through the proxy; how many reach the upstream.
import { Agent, request } from "undici"
import { clientKey, machine, seedBatch, startEmulator, startProxy, upstreamKey, writeResult } from "./common.mjs"

const callers = Number(process.env.CALLERS ?? 1000)
const emulator = await startEmulator()
const proxy = await startProxy(emulator.url)
const ref = await seedBatch(emulator.url)
const admin = emulator.url.replace(/\/v1$/, "")
// A slow upstream cancel, so that the herd arrives while the first call is in flight.
await fetch(`${admin}/__emulator/faults`, {
  method: "POST",
  body: JSON.stringify({ operation: "cancel", times: "always", fault: { kind: "latency", millis: 300 } })
})
await fetch(`${admin}/__emulator/requests`, { method: "DELETE" })

const dispatcher = new Agent({ connections: callers })
const url = `${proxy.url}/v1/vector_stores/${ref.vectorStoreId}/file_batches/${ref.batchId}/cancel`
const started = performance.now()
const statuses = await Promise.all(Array.from({ length: callers }, async () => {
  const response = await request(url, { method: "POST", dispatcher, headers: { authorization: `Bearer ${clientKey}` } })
  await response.body.text()
  return response.statusCode
}))
const millis = Math.round(performance.now() - started)
const log = await (await fetch(`${admin}/__emulator/requests`)).json()
const upstreamCalls = log.filter((entry) => entry.operation === "cancel").length
await proxy.stop()
await emulator.stop()

const ok = statuses.filter((s) => s === 200).length
const ratio = upstreamCalls / callers
console.log(`herd: ${callers} concurrent identical cancels through the proxy; ${machine}`)
console.log(
  `  answered 200: ${ok}/${callers} in ${millis} ms; upstream cancels: ${upstreamCalls} (${
    (ratio * 100).toFixed(2)
  }%, goal ≤ 1%)`
)
writeResult("herd", { callers, ok, millis, upstreamCalls, ratio, goal: 0.01, upstreamKeyUsed: upstreamKey.length > 0 })
process.exit(0)
