/** An HTTP answer read whole; `json` is undefined when the body is not JSON. */
export interface Reply {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  readonly json: unknown
}

/** One request with fetch; never throws on an HTTP status. The abort is a safety net. */
export const request = async (
  url: string,
  options: {
    readonly method?: string
    readonly bearer?: string | undefined
    readonly headers?: Record<string, string>
    /** A stream is sent chunked, its length unknown in advance. */
    readonly body?: string | ReadableStream<Uint8Array>
  } = {}
): Promise<Reply> => {
  const headers: Record<string, string> = { ...options.headers }
  if (options.bearer !== undefined) headers["authorization"] = `Bearer ${options.bearer}`
  const response = await fetch(url, {
    method: options.method ?? "GET",
    headers,
    ...(options.body !== undefined ? { body: options.body } : {}),
    ...(typeof options.body === "object" ? { duplex: "half" } : {}),
    signal: AbortSignal.timeout(60_000)
  })
  const text = await response.text()
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: response.status, headers: response.headers, text, json }
}

/** The `error` object of an OpenAI-shaped error answer. */
export const errorOf = (reply: Reply) => (reply.json as { error: Record<string, unknown> }).error
