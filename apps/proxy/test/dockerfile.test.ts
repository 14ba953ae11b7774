/**
 * The image is built from a clean checkout (no Docker engine here to run the build, so
 * the Dockerfile is checked against the repository instead): pinned bases, a build stage
 * that installs with the frozen lockfile and builds the proxy, and a run stage that takes
 * exactly the file the proxy's build writes.
 */
import { describe, expect, it } from "@effect/vitest"
import { existsSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

const at = (path: string) => fileURLToPath(new URL(path, import.meta.url))
const dockerfile = readFileSync(at("../Dockerfile"), "utf8")
const instructions = dockerfile.split("\n").filter((line) => /^[A-Z]+ /.test(line))

describe("the proxy's Dockerfile", () => {
  it("builds from a clean checkout in two stages on the shipped Node, and runs the bundle as an unprivileged user", () => {
    const bases = instructions.filter((line) => line.startsWith("FROM "))
    expect(bases).toEqual(["FROM ${BASE} AS build", "FROM ${BASE}"])
    // The Node of shipped-node.json, stated there once; no Node 20 (end of life) anywhere.
    const shipped = JSON.parse(readFileSync(at("../../../shipped-node.json"), "utf8")).version
    expect(instructions).toContain(`ARG NODE_VERSION=${shipped}`)
    expect(instructions).toContain("ARG BASE=node:${NODE_VERSION}-bookworm-slim")
    expect(dockerfile).not.toMatch(/node:20/)
    expect(dockerfile).toMatch(/pnpm@12\.4\.2 install --frozen-lockfile --filter "@filebatch\/proxy\.\.\."/)
    expect(dockerfile).toMatch(/turbo run build --filter=@filebatch\/proxy/)
    const packageManager = JSON.parse(readFileSync(at("../../../package.json"), "utf8")).packageManager
    expect(packageManager).toBe("pnpm@12.4.2")
    // The run stage copies what build.mjs writes.
    expect(readFileSync(at("../build.mjs"), "utf8")).toContain(`?? "dist/proxy.mjs"`)
    expect(dockerfile).toContain("COPY --from=build /src/apps/proxy/dist/proxy.mjs ./proxy.mjs")
    expect(instructions).toContain("USER node")
    // Start-up's freed memory given back to the system (the README's idle RSS figure depends on it).
    expect(instructions).toContain("ENV MALLOC_TRIM_THRESHOLD_=65536")
    expect(dockerfile).toMatch(/HEALTHCHECK .*\/readyz/)
    // A stop fits in the default 10 s of `docker stop`: drain delay and grace together.
    const env = Object.fromEntries(
      instructions.filter((line) => line.startsWith("ENV ")).flatMap((line) =>
        [...line.matchAll(/(\w+)=(\S+)/g)].map(([, name, value]) => [name!, value!])
      )
    )
    expect(parseInt(env["FILEBATCH_PROXY_DRAIN_DELAY"]!) + parseInt(env["FILEBATCH_PROXY_SHUTDOWN_GRACE"]!))
      .toBeLessThan(10)
    // The run stage holds Node and the bundle: the base's package managers are removed.
    expect(dockerfile).toMatch(
      /RUN rm -rf \/usr\/local\/lib\/node_modules \/usr\/local\/bin\/npm \/usr\/local\/bin\/npx/
    )
  })

  it("a .dockerignore at the root keeps installed and built files out of the context", () => {
    const ignored = readFileSync(at("../../../.dockerignore"), "utf8").split("\n")
    expect(ignored).toEqual(expect.arrayContaining(["**/node_modules", "**/dist", ".git"]))
    expect(existsSync(at("../../../pnpm-lock.yaml"))).toBe(true)
  })
})
