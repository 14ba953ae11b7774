/** Statuses OpenAI answers the file batch operations with. */
export const upstreamErrors: ReadonlyArray<number> = [400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 504]
