/** When Redis counts as down, and when a failure is only the echo of an outage already over. */
import { describe, expect, it } from "@effect/vitest"
import { makeRedisHealth } from "../src/shared/redisHealth.js"

const tracked = () => {
  const events: Array<string> = []
  const health = makeRedisHealth({ down: (reason) => events.push(`down: ${reason}`), up: () => events.push("up") })
  return { events, health }
}

describe("Redis health", () => {
  it("a command queued during an outage that times out just after the return is no new outage", () => {
    const { events, health } = tracked()
    health.lost("connection closed")
    const queued = health.period()
    health.back()
    health.failed(queued, "Command timed out")
    expect(health.up()).toBe(true)
    expect(health.outages()).toBe(1)
    expect(health.errors()).toBe(1)
    expect(events).toEqual(["down: connection closed", "up"])
  })

  it("a command started after the return that fails is a new outage, told once", () => {
    const { events, health } = tracked()
    health.lost("connection closed")
    health.back()
    const started = health.period()
    health.failed(started, "Command timed out")
    health.failed(started, "Command timed out")
    health.lost("connection closed")
    expect(health.up()).toBe(false)
    expect(health.outages()).toBe(2)
    expect(health.errors()).toBe(2)
    expect(events).toEqual(["down: connection closed", "up", "down: Command timed out"])
  })

  it("up from the start; a return while up says nothing", () => {
    const { events, health } = tracked()
    health.back()
    expect(health.up()).toBe(true)
    expect(events).toEqual([])
  })
})
