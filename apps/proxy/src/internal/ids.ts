/** Checks of raw path segments: anything that is not a plain ID is refused before it can reach a URL. */
import { FileBatchId } from "@filebatch/core"
import { Either } from "effect"
import { randomUUID } from "node:crypto"
import { type Answer, errorAnswer } from "./answers.js"

const describe = (value: string) => JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value)

/** Decodes and checks one segment; the answer says which parameter is wrong and why. */
const checkSegment = (param: string, raw: string): string | Answer => {
  let value: string
  try {
    value = decodeURIComponent(raw)
  } catch {
    return errorAnswer(400, `Invalid '${param}': malformed percent-encoding.`, { param, code: "invalid_value" })
  }
  const problem = FileBatchId.idProblem(value)
  if (problem === undefined) return value
  return errorAnswer(
    400,
    `Invalid '${param}': ${
      problem.startsWith("must") ? `${describe(value)} ${problem}` : problem
    }. Expected an ID that contains letters, numbers, underscores, or dashes.`,
    { param, code: "invalid_value" }
  )
}

/**
 * Decodes and checks both IDs of a route, completely: each segment, then the pair as core
 * checks it (prefixes, a swapped pair). The checked pair, or the 400 naming the parameter.
 */
export const checkRef = (rawVectorStoreId: string, rawBatchId: string): FileBatchId.CheckedFileBatchRef | Answer => {
  const vectorStoreId = checkSegment("vector_store_id", rawVectorStoreId)
  if (typeof vectorStoreId !== "string") return vectorStoreId
  const batchId = checkSegment("batch_id", rawBatchId)
  if (typeof batchId !== "string") return batchId
  const checked = FileBatchId.check({ vectorStoreId, batchId })
  if (Either.isRight(checked)) return checked.right
  const param = checked.left.argument === "batchId" ? "batch_id" : "vector_store_id"
  return errorAnswer(400, `Invalid '${param}': ${checked.left.message}.`, { param, code: "invalid_value" })
}

const clientRequestId = /^[A-Za-z0-9._:-]{1,128}$/

/** The caller's `x-request-id` when it is a sane token, else a new one. */
export const requestIdFrom = (header: string | undefined): string =>
  header !== undefined && clientRequestId.test(header) ? header : `req_${randomUUID().replace(/-/g, "")}`
