/**
 * The README's first command, `pnpm demo`, without a key: the emulator's batch is cancelled in
 * progress, the files it stopped are reported, their resubmit planned, and they are cleaned up — on a slow or busy machine
 * too, since the demo holds the batch's progress until its cancel has been answered.
 */
import { describe, expect, it } from "@effect/vitest"
import { runNode } from "@filebatch/testkit"
import { fileURLToPath } from "node:url"

const demo = fileURLToPath(new URL("../../../scripts/demo.mjs", import.meta.url))

describe("the demo (scripts/demo.mjs)", () => {
  it("cancels a batch in progress, reports the files it stopped, plans their resubmit and cleans them up", async () => {
    const ran = await runNode(demo, [], {})
    expect(ran.code, ran.stderr).toBe(0)
    const output = ran.stdout + ran.stderr
    const stopped = /report: (\d+) files did not complete \((\d+) cancelled, 0 failed\)/.exec(output)
    expect(stopped).not.toBeNull()
    expect(Number(stopped![1])).toBeGreaterThan(0)
    expect(stopped![2]).toBe(stopped![1])
    expect(output).toMatch(/: cancelled — /)
    expect(output).toContain(`would send: 1 createFileBatch`)
    expect(output).toContain(`1 batch of ${stopped![1]} files`)
    expect(output).toContain(`${stopped![1]} files: ${stopped![1]} detached, 0 already gone, 0 failed`)
  })
})
