/**
 * The table of the API's operations: one descriptor each (see {@link Operation}). Core's
 * client serves any of them; the proxy derives its routes, its handler and its OpenAPI
 * document from this table, and the emulator its routes, so an operation is one entry.
 *
 * Plain data and Schemas on purpose: `@effect/platform`'s `HttpApi` modules, which the
 * proxy builds from this table, would add to every CLI start-up.
 *
 * @since 0.2.0
 */
import { Schema } from "effect"
import * as Operation from "./Operation.js"
import { cancel } from "./operations/cancel.js"
import { createFileBatch } from "./operations/createFileBatch.js"
import { deleteFile } from "./operations/deleteFile.js"
import { deleteVectorStoreFile } from "./operations/deleteVectorStoreFile.js"
import { listFiles } from "./operations/listFiles.js"
import { listVectorStoreFiles } from "./operations/listVectorStoreFiles.js"
import { retrieve } from "./operations/retrieve.js"

/**
 * Every operation, by name.
 *
 * @since 0.2.0
 * @category contract
 */
export const operations = {
  cancel,
  retrieve,
  listFiles,
  createFileBatch,
  listVectorStoreFiles,
  deleteVectorStoreFile,
  deleteFile
} as const

/**
 * The name of an operation.
 *
 * @since 0.2.0
 * @category models
 */
export type OperationName = keyof typeof operations

/**
 * One of the operations of the table.
 *
 * @since 0.3.0
 * @category models
 */
export type AnyOperation = (typeof operations)[OperationName]

/**
 * The path parameters of one batch, as OpenAI names them.
 *
 * @since 0.2.0
 * @category schemas
 */
export const BatchPathParams = Schema.Struct({ vector_store_id: Operation.IdParam, batch_id: Operation.IdParam })

/**
 * OpenAI's error answer (see `ErrorResponse`).
 *
 * @since 0.2.0
 * @category schemas
 */
export { ErrorResponse } from "./ErrorResponse.js"
