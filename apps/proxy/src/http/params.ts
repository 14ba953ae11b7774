/** The IDs of a request's path, checked completely before anything is spent on it; and the request's own ID. */
import { FileBatchId, type Operation, PathTemplate } from "@filebatch/core"
import { randomUUID } from "node:crypto"
import { type Answer, errorAnswer } from "../answers.js"

const describe = (value: string) => JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value)

/** OpenAI's name of each field of a ref. */
const paramOf: Readonly<Record<string, PathTemplate.PathParam>> = Object.fromEntries(
  Object.entries(PathTemplate.pathParams).map(([param, field]) => [field, param as PathTemplate.PathParam])
)

/** Decodes and checks one segment; the answer says which parameter is wrong and why. */
const checkSegment = (param: PathTemplate.PathParam, raw: string): string | Answer => {
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
 * The path's IDs, each decoded and checked, then together as the operation checks them
 * (prefixes, a swapped pair) when the path names one: the ref, or the 400 naming the parameter.
 */
export const refOf = (
  raw: Readonly<Partial<Record<PathTemplate.PathParam, string>>>,
  operation: Operation.Any | undefined
): Operation.Ref | Answer => {
  const ref: Record<string, string> = {}
  for (const param of Object.keys(raw) as Array<PathTemplate.PathParam>) {
    const value = checkSegment(param, raw[param]!)
    if (typeof value !== "string") return value
    ref[PathTemplate.pathParams[param]] = value
  }
  const problem = operation?.checkRef(ref as unknown as Operation.Ref)
  if (problem === undefined) return ref as unknown as Operation.Ref
  const param = paramOf[problem.argument] ?? problem.argument
  return errorAnswer(400, `Invalid '${param}': ${problem.message}.`, { param, code: "invalid_value" })
}

const clientRequestId = /^[A-Za-z0-9._:-]{1,128}$/

/** The caller's `x-request-id` when it is a sane token, else a new one. */
export const requestIdFrom = (header: string | undefined): string =>
  header !== undefined && clientRequestId.test(header) ? header : `req_${randomUUID().replace(/-/g, "")}`
