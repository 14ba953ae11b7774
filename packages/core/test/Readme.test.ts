import { describe, expect, it } from "@effect/vitest"
import { readFileSync } from "node:fs"

describe("README", () => {
  it("shows the consumer example that CI typechecks, word for word", () => {
    const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8")
    const example = readFileSync(new URL("../fixtures/consumer/main.ts", import.meta.url), "utf8")
    const block = readme.match(/## Compose core into your Effect program\n\n```ts\n([\s\S]*?)```/)
    expect(block).not.toBeNull()
    expect(block![1]).toBe(example)
  })
})
