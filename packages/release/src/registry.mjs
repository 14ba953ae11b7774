// A throwaway npm registry: verdaccio on 127.0.0.1, a free port, storage in a temporary
// folder. `@filebatch/*` is published here and nowhere else; everything else comes through
// it from the public registry, as for any user.
import { freePort } from "@filebatch/testkit/redisServer"
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { run, start } from "./exec.mjs"

const verdaccio = fileURLToPath(new URL("../node_modules/verdaccio/bin/verdaccio", import.meta.url))

export const startRegistry = async (folder) => {
  mkdirSync(folder, { recursive: true })
  const port = await freePort()
  const config = join(folder, "config.yaml")
  writeFileSync(
    config,
    [
      `storage: ${join(folder, "storage")}`,
      "auth:",
      "  htpasswd:",
      `    file: ${join(folder, "htpasswd")}`,
      "    max_users: 1",
      "uplinks:",
      "  npmjs:",
      "    url: https://registry.npmjs.org/",
      "    timeout: 60s",
      "packages:",
      "  \"@filebatch/*\":",
      "    access: $all",
      "    publish: $authenticated",
      "  \"**\":",
      "    access: $all",
      "    proxy: npmjs",
      "log: { type: stdout, format: pretty, level: warn }",
      "server:",
      "  keepAliveTimeout: 60",
      ""
    ].join("\n")
  )
  const server = start(process.execPath, [verdaccio, "--config", config, "--listen", `127.0.0.1:${port}`])
  const url = `http://127.0.0.1:${port}/`
  await waitUntilUp(url, server)
  // A user of its own, for the token npm publishes with.
  const answer = await fetch(`${url}-/user/org.couchdb.user:release`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "release", password: "release-check-only" })
  })
  if (!answer.ok) throw new Error(`verdaccio refused the user: ${answer.status} ${await answer.text()}`)
  const { token } = await answer.json()
  const npmrc = join(folder, "publish.npmrc")
  writeFileSync(npmrc, `registry=${url}\n//127.0.0.1:${port}/:_authToken=${token}\n`)
  return {
    url,
    publish: async (tarballs) => {
      for (const tarball of tarballs) {
        await run("npm", ["publish", tarball.file, "--registry", url, "--userconfig", npmrc, "--provenance=false"], {
          cwd: folder
        })
      }
      return tarballs.map(({ name, version }) => `${name}@${version}`).join(", ")
    },
    stop: () => server.stop()
  }
}

const waitUntilUp = async (url, server) => {
  const deadline = Date.now() + 60_000
  for (;;) {
    try {
      if ((await fetch(`${url}-/ping`)).ok) return
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`verdaccio did not answer on ${url}:\n${server.output()}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
