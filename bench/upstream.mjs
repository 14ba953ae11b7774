// The benchmarks' upstream: a raw node:http server with canned OpenAI answers, so that
// the upstream is never what limits a subject (the emulator, an Effect server with
// state, faults and a request log, stays for behaviour). It answers a GET of a batch and
// a cancel with the batch object for the IDs in the path, 401 for a wrong key, 404
// otherwise. UPSTREAM_KEY sets the key; it prints `listening on <url>`.
import { createServer } from "node:http"

const key = process.env.UPSTREAM_KEY ?? "sk-bench-upstream"
const expected = `Bearer ${key}`
const batchPath = /^\/v1\/vector_stores\/([\w-]+)\/file_batches\/([\w-]+)(\/cancel)?$/
const unauthorized = JSON.stringify({
  error: { message: "Incorrect API key provided.", type: "invalid_request_error", param: null, code: "invalid_api_key" }
})
const notFound = JSON.stringify({
  error: { message: "Invalid URL", type: "invalid_request_error", param: null, code: null }
})
let sequence = 0

const send = (response, status, body) => {
  response.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
    "x-request-id": `req_bench${++sequence}`
  })
  response.end(body)
}

const server = createServer((request, response) => {
  // Bodies (none expected) are drained so that keep-alive connections stay usable.
  request.resume()
  if (request.headers.authorization !== expected) return send(response, 401, unauthorized)
  const match = batchPath.exec(request.url)
  if (match === null || (match[3] === undefined ? request.method !== "GET" : request.method !== "POST")) {
    return send(response, 404, notFound)
  }
  send(
    response,
    200,
    `{"id":"${match[2]}","object":"vector_store.files_batch","created_at":1764400000,"vector_store_id":"${
      match[1]
    }","status":"in_progress","file_counts":{"in_progress":2,"completed":0,"failed":0,"cancelled":0,"total":2}}`
  )
})
server.keepAliveTimeout = 60_000
server.listen(0, "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${server.address().port}`))
process.on("SIGTERM", () => {
  server.close(() => process.exit(0))
  server.closeAllConnections()
})
