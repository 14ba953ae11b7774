// Herd: 1000 concurrent identical cancels through the proxy; how many reach the upstream.
import { machine, runHerd, startEmulator, startProxy, upstreamKey, writeResult } from "./common.mjs"

const callers = Number(process.env.CALLERS ?? 1000)
const emulator = await startEmulator()
const proxy = await startProxy(emulator.url)
const { millis, statuses, upstreamCalls } = await runHerd(emulator.url, [proxy.url], callers)
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
