/** The list-files query, checked with core's schema before anything is spent; a 400 naming the parameter otherwise. */
import { VectorStoreFile } from "@filebatch/core"
import { Either, ParseResult, Schema } from "effect"
import { type Answer, errorAnswer } from "./answers.js"

const names = ["filter", "limit", "order", "after", "before"] as const

const decode = Schema.decodeUnknownEither(VectorStoreFile.ListFilesQuery)

export const listFilesQuery = (url: string): VectorStoreFile.ListFilesQuery | Answer => {
  const at = url.indexOf("?")
  const search = new URLSearchParams(at >= 0 ? url.slice(at + 1) : "")
  const raw: Record<string, unknown> = {}
  for (const name of names) {
    const value = search.get(name)
    if (value === null) continue
    raw[name] = name === "limit" && /^\d+$/.test(value) ? Number(value) : value
  }
  const query = decode(raw)
  if (Either.isRight(query)) return query.right
  const issue = ParseResult.ArrayFormatter.formatErrorSync(query.left)[0]
  const param = String(issue?.path[0] ?? "query")
  const shown = JSON.stringify(String(search.get(param) ?? "").slice(0, 64))
  const expected: Record<string, string> = {
    filter: "one of 'in_progress', 'completed', 'failed' or 'cancelled'",
    limit: "an integer from 1 to 100",
    order: "one of 'asc' or 'desc'",
    after: "a file ID",
    before: "a file ID"
  }
  return errorAnswer(400, `Invalid '${param}': expected ${expected[param] ?? "a valid value"}, got ${shown}.`, {
    param,
    code: "invalid_value"
  })
}
