// V8's code cache of the CLI's bundle as one run of a command makes it: what one `cancel`
// (against a stub answering like OpenAI) leaves in an empty cache folder, i.e. the functions a
// command compiles. Made by the Node that will read it (a cache fits only the V8 that wrote it):
// build.mjs for the cache shipped beside the npm package's file, build-exe.mjs for the one inside
// the executable, both with the shipped Node (scripts/shipped-node.mjs).
import { spawn } from "node:child_process"
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { createServer } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** Runs `launcher` (dist/filebatch.cjs) with `node`; resolves with the cache it wrote and its file name. */
export const makeCodeCache = async (node, launcher) => {
  const stub = createServer((request, response) => {
    request.resume()
    response.writeHead(200, { "content-type": "application/json" })
    response.end(JSON.stringify({
      id: "vsfb_build",
      object: "vector_store.files_batch",
      created_at: 0,
      vector_store_id: "vs_build",
      status: "cancelling",
      file_counts: { in_progress: 1, completed: 0, failed: 0, cancelled: 0, total: 1 }
    }))
  })
  await new Promise((resolve) => stub.listen(0, "127.0.0.1", resolve))
  const cacheHome = mkdtempSync(join(tmpdir(), "filebatch-build-cache-"))
  // The launcher alone: a cache shipped beside it would serve the run, which would then write none.
  const alone = join(cacheHome, "filebatch.cjs")
  copyFileSync(launcher, alone)
  try {
    const made = await new Promise((resolve) => {
      const child = spawn(node, [alone, "cancel", "vs_build", "vsfb_build"], {
        env: {
          PATH: process.env.PATH ?? "",
          XDG_CACHE_HOME: cacheHome,
          OPENAI_API_KEY: "sk-build",
          OPENAI_BASE_URL: `http://127.0.0.1:${stub.address().port}/v1`
        },
        stdio: ["ignore", "ignore", "pipe"]
      })
      let stderr = ""
      child.stderr.on("data", (chunk) => (stderr += chunk))
      child.on("close", (status) => resolve({ status, stderr }))
    })
    if (made.status !== 0) throw new Error(`the build's cancel run failed: ${made.stderr}`)
    const [name] = readdirSync(join(cacheHome, "filebatch")).filter((file) => file.endsWith(".v8"))
    return { name, data: readFileSync(join(cacheHome, "filebatch", name)) }
  } finally {
    stub.close()
    rmSync(cacheHome, { recursive: true, force: true })
  }
}
