/**
 * Validation of vector store and file batch IDs. IDs are checked before any request
 * is built, so a malformed or hostile ID never reaches a URL.
 *
 * @since 0.1.0
 */
import { Effect, Either, Schema } from "effect"
import { InvalidArgumentError } from "./FileBatchError.js"

/**
 * The longest ID accepted. Real IDs are about 30 characters; anything near this bound
 * is not an OpenAI ID.
 *
 * @since 0.1.0
 * @category constants
 */
export const maxIdLength = 128

/**
 * The characters an ID may have (its length is {@link maxIdLength} at most).
 *
 * @since 0.2.0
 * @category validation
 */
export const idPattern = /^[A-Za-z0-9_-]+$/

/**
 * The pair of IDs that names one file batch.
 *
 * @since 0.1.0
 * @category models
 */
export interface FileBatchRef {
  readonly vectorStoreId: string
  readonly batchId: string
}

const describe = (value: string): string => {
  const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value
  return JSON.stringify(shown)
}

/**
 * Why an ID is not acceptable, or `undefined` when it is.
 *
 * @since 0.1.0
 * @category validation
 */
export const idProblem = (value: string): string | undefined => {
  if (value.length === 0) return "must not be empty"
  if (value.length > maxIdLength) return `must be at most ${maxIdLength} characters (got ${value.length})`
  if (!idPattern.test(value)) return `${describe(value)} may only contain letters, digits, '_' and '-'`
  return undefined
}

const looksLikeBatchId = (value: string) => value.startsWith("vsfb_")
const looksLikeStoreId = (value: string) => value.startsWith("vs_")

/**
 * What is wrong with a pair of IDs, if anything: the {@link InvalidArgumentError} that
 * {@link validateRef} fails with.
 *
 * @since 0.1.0
 * @category validation
 */
export const refProblem = (ref: FileBatchRef): InvalidArgumentError | undefined => {
  const { batchId, vectorStoreId } = ref
  if (typeof vectorStoreId !== "string" || typeof batchId !== "string") {
    return (
      new InvalidArgumentError({
        argument: typeof vectorStoreId !== "string" ? "vectorStoreId" : "batchId",
        message: "vector store ID and batch ID must be strings"
      })
    )
  }
  if (looksLikeBatchId(vectorStoreId) && looksLikeStoreId(batchId)) {
    return (
      new InvalidArgumentError({
        argument: "vectorStoreId",
        message:
          `the IDs look swapped: ${describe(vectorStoreId)} is a file batch ID and ${
            describe(batchId)
          } a vector store ID; ` +
          "give the vector store ID first"
      })
    )
  }
  return storeRefProblem(ref) ??
    oneIdProblem(
      "batchId",
      "batch ID",
      batchId,
      (id) => looksLikeStoreId(id) ? "vector store ID, not a file batch ID (those begin with 'vsfb_')" : undefined
    )
}

/**
 * One ID checked: a string, the rule of every ID, and not an ID of another kind in its place
 * (`wrongKind` says which, if so).
 */
const oneIdProblem = (
  argument: string,
  label: string,
  value: unknown,
  wrongKind: (id: string) => string | undefined
): InvalidArgumentError | undefined => {
  if (typeof value !== "string") return new InvalidArgumentError({ argument, message: `${label} must be a string` })
  const problem = idProblem(value)
  if (problem !== undefined) return new InvalidArgumentError({ argument, message: `${label} ${problem}` })
  const wrong = wrongKind(value)
  return wrong === undefined
    ? undefined
    : new InvalidArgumentError({ argument, message: `${describe(value)} is a ${wrong}` })
}

/**
 * The vector store that a call on the store itself names (creating a batch in it).
 *
 * @since 0.3.0
 * @category models
 */
export interface VectorStoreRef {
  readonly vectorStoreId: string
}

/**
 * What is wrong with a vector store's ID, if anything.
 *
 * @since 0.3.0
 * @category validation
 */
export const storeRefProblem = (ref: VectorStoreRef): InvalidArgumentError | undefined =>
  oneIdProblem(
    "vectorStoreId",
    "vector store ID",
    ref.vectorStoreId,
    (id) => looksLikeBatchId(id) ? "file batch ID, not a vector store ID (those begin with 'vs_')" : undefined
  )

/**
 * The File that a call on a file names (deleting it from every store).
 *
 * @since 0.3.0
 * @category models
 */
export interface FileRef {
  readonly fileId: string
}

/**
 * A File in one vector store (detaching it from that store).
 *
 * @since 0.3.0
 * @category models
 */
export interface StoreFileRef {
  readonly vectorStoreId: string
  readonly fileId: string
}

/**
 * What is wrong with a file's ID, if anything: the rule of every ID, and not a store's or
 * a batch's ID in its place.
 *
 * @since 0.3.0
 * @category validation
 */
export const fileRefProblem = (ref: FileRef): InvalidArgumentError | undefined =>
  oneIdProblem("fileId", "file ID", ref.fileId, (id) =>
    looksLikeBatchId(id)
      ? "file batch ID, not a file ID (those begin with 'file-')"
      : looksLikeStoreId(id)
      ? "vector store ID, not a file ID (those begin with 'file-')"
      : undefined)

/**
 * What is wrong with a store's and a file's IDs, if anything.
 *
 * @since 0.3.0
 * @category validation
 */
export const storeFileRefProblem = (ref: StoreFileRef): InvalidArgumentError | undefined =>
  storeRefProblem(ref) ?? fileRefProblem(ref)

/**
 * Checks both IDs; fails with an {@link InvalidArgumentError} naming the argument and,
 * when the two look swapped, saying so.
 *
 * @since 0.1.0
 * @category validation
 */
export const validateRef = (ref: FileBatchRef): Effect.Effect<FileBatchRef, InvalidArgumentError> => {
  const problem = refProblem(ref)
  return problem === undefined ? Effect.succeed(ref) : Effect.fail(problem)
}

/**
 * A pair of IDs already checked: what {@link check} and {@link CheckedFileBatchRef} give
 * at an app's edge (a route, an argument, a line of input), so that everything after it
 * works with IDs known to be good.
 *
 * @since 0.2.0
 * @category schemas
 */
export const CheckedFileBatchRef = Schema.Struct({ vectorStoreId: Schema.String, batchId: Schema.String }).pipe(
  Schema.filter((ref) => refProblem(ref)?.message),
  Schema.brand("CheckedFileBatchRef")
)

/**
 * @since 0.2.0
 * @category models
 */
export type CheckedFileBatchRef = typeof CheckedFileBatchRef.Type

/**
 * Checks a pair of IDs once, synchronously: the checked pair, or the
 * {@link InvalidArgumentError} naming the argument at fault.
 *
 * @since 0.2.0
 * @category validation
 */
export const check = (ref: FileBatchRef): Either.Either<CheckedFileBatchRef, InvalidArgumentError> => {
  const problem = refProblem(ref)
  return problem === undefined
    ? Either.right(CheckedFileBatchRef.make({ vectorStoreId: ref.vectorStoreId, batchId: ref.batchId }))
    : Either.left(problem)
}
