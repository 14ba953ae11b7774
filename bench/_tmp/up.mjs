import { createServer } from "node:http"
const body = JSON.stringify({ id: "vsfb_1", object: "vector_store.file_batch", created_at: 1, vector_store_id: "vs_1", status: "in_progress", file_counts: { in_progress: 2, completed: 0, failed: 0, cancelled: 0, total: 2 } })
const s = createServer((req, res) => { req.resume(); req.on("end", () => { res.writeHead(200, { "content-type": "application/json", "x-request-id": "req_1" }); res.end(body) }) })
s.listen(0, "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${s.address().port}`))
process.on("SIGTERM", () => process.exit(0))
