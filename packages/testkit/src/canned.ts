import { createServer, type IncomingMessage } from "node:http"

/** A canned answer: JSON text sent as it is, so that a test controls every byte. */
export interface CannedAnswer {
  readonly status?: number
  readonly body: string
}

/** A raw node:http upstream on loopback answering each request with `answer`. */
export interface CannedUpstream {
  /** The base URL, `/v1` included. */
  readonly url: string
  readonly requests: () => number
  /** TCP connections opened to it. */
  readonly connections: () => number
  readonly close: () => void
}

export const startCannedUpstream = (answer: (request: IncomingMessage) => CannedAnswer): Promise<CannedUpstream> =>
  new Promise((resolve) => {
    let connections = 0
    let requests = 0
    const server = createServer((request, response) => {
      requests++
      request.resume()
      const { body, status = 200 } = answer(request)
      response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
      response.end(body)
    })
    server.on("connection", () => connections++)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number }
      resolve({
        url: `http://127.0.0.1:${port}/v1`,
        connections: () => connections,
        requests: () => requests,
        close: () => (server.close(), server.closeAllConnections())
      })
    })
  })
