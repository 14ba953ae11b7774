/** OpenAI-shaped error answers (core's `ErrorResponse`), with the messages and codes the real API uses. */
import { ErrorResponse } from "@filebatch/core"

export interface ApiError extends ErrorResponse.ErrorFields {
  readonly status: number
}

export const apiError = (
  status: number,
  message: string,
  options: Parameters<typeof ErrorResponse.make>[2] = {}
): ApiError => ({ status, ...ErrorResponse.make(status, message, options) })

export const errorBody = ({ code, message, param, type }: ApiError) => ({ error: { message, type, param, code } })

export const missingKey = apiError(
  401,
  "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth " +
    "(i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the " +
    "API from your browser and are prompted for a username. You can obtain an API key from " +
    "https://platform.openai.com/account/api-keys."
)

export const maskKey = ErrorResponse.maskKey

export const wrongKey = (key: string) =>
  apiError(
    401,
    `Incorrect API key provided: ${
      maskKey(key)
    }. You can find your API key at https://platform.openai.com/account/api-keys.`,
    { code: "invalid_api_key" }
  )

export const invalidUrl = (method: string, path: string) => apiError(404, `Invalid URL (${method} ${path})`)

export const wrongMethod = (method: string, path: string) =>
  apiError(405, `Invalid method for URL (${method} ${path})`, { code: "method_not_allowed" })

const shown = (value: string) => value.length > 64 ? `${value.slice(0, 64)}...` : value

export const badIdCharacters = (param: string, value: string) =>
  apiError(
    400,
    `Invalid '${param}': '${shown(value)}'. Expected an ID that contains letters, numbers, underscores, or dashes, ` +
      "but this value contained additional characters.",
    { param, code: "invalid_value" }
  )

export const badIdPrefix = (param: string, value: string, prefix: string) =>
  apiError(400, `Invalid '${param}': '${shown(value)}'. Expected an ID that begins with '${prefix}'.`, {
    param,
    code: "invalid_value"
  })

export const badIdLength = (param: string, value: string, max: number) =>
  apiError(
    400,
    `Invalid '${param}': string too long. Expected a string with maximum length ${max}, but got a string with length ${value.length} instead.`,
    { param, code: "string_above_max_length" }
  )

export const vectorStoreNotFound = (id: string) => apiError(404, `No vector store found with id '${id}'.`)

export const batchNotFound = (id: string, vectorStoreId: string) =>
  apiError(404, `No file batch found with id '${id}' in vector store '${vectorStoreId}'.`)

export const cannotCancel = (id: string, status: string) =>
  apiError(400, `Cannot cancel file batch ${id} with status '${status}'.`, { param: "batch_id" })

export const badJson = apiError(
  400,
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library " +
    "correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)"
)

export const rateLimited = (limit: number, waitMillis: number) =>
  apiError(
    429,
    `Rate limit reached for requests on this key: Limit ${limit} / min. Please try again in ${
      Math.ceil(waitMillis / 100) / 10
    }s.`,
    { type: "requests", code: "rate_limit_exceeded" }
  )

export const fileNotFound = (id: string) => apiError(404, `No such File object: ${id}`, { param: "id" })
