// The baseline: a bare node:http passthrough to the same upstream, with a keep-alive
// agent and no auth, validation, logging or metrics.
import { Agent, createServer, request } from "node:http"

const upstream = new URL(process.env.UPSTREAM)
const agent = new Agent({ keepAlive: true, maxSockets: 256 })
const server = createServer((req, res) => {
  const forwarded = request({
    host: upstream.hostname,
    port: upstream.port,
    method: req.method,
    path: req.url,
    agent,
    headers: { ...req.headers, host: upstream.host, authorization: `Bearer ${process.env.OPENAI_API_KEY}` }
  }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers)
    answer.pipe(res)
  })
  forwarded.on("error", () => {
    res.writeHead(502)
    res.end()
  })
  req.pipe(forwarded)
})
server.listen(0, "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${server.address().port}`))
process.on("SIGTERM", () => server.close(() => process.exit(0)))
