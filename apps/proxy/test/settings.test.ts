/**
 * The settings table is the one place the proxy's settings are declared: the README's
 * table is written from it (run with UPDATE_README=1 to write it), and `--help` lists it.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { readFileSync, writeFileSync } from "node:fs"
import * as ProxyCommand from "../src/command/command.js"
import { all } from "../src/config/settings.js"

const readmePath = new URL("../README.md", import.meta.url)
const start = "<!-- settings: written from src/config/settings.ts; test/settings.test.ts checks it -->\n"
const end = "\n<!-- settings end -->"

/** Defaults that are words, not values to type. */
const plainWords = new Set(["required", "none", "off", "-"])

const table = [
  "| variable | default | meaning |",
  "| --- | --- | --- |",
  ...all.map(({ fallback, meaning, name }) =>
    `| \`${name}\` | ${plainWords.has(fallback) ? fallback : `\`${fallback}\``} | ${meaning} |`
  )
].join("\n")

describe("the settings table", () => {
  it("the README's table is the settings table", () => {
    const readme = readFileSync(readmePath, "utf8")
    const from = readme.indexOf(start) + start.length
    const to = readme.indexOf(end, from)
    expect(from).toBeGreaterThan(start.length - 1)
    if (process.env["UPDATE_README"] === "1") {
      writeFileSync(readmePath, readme.slice(0, from) + table + readme.slice(to))
      return
    }
    expect(readme.slice(from, to)).toBe(table)
  })

  it("--help lists every setting with its default", () => {
    const help = ProxyCommand.overview(ProxyCommand.make(Effect.void))
    for (const { fallback, name } of all) {
      expect(help).toMatch(
        new RegExp(`\\n  ${name} +.*\\(default: ${fallback.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\)`)
      )
    }
  })
})
