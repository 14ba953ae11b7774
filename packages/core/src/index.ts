/**
 * `@filebatch/core`: cancel OpenAI vector store file batches from Effect programs.
 *
 * @since 0.1.0
 */

/**
 * The batch object schema and status helpers.
 *
 * @since 0.1.0
 */
export * as FileBatch from "./FileBatch.js"

/**
 * The contract of the operations: methods, paths, parameters, answers, errors.
 *
 * @since 0.2.0
 */
export * as FileBatchApi from "./FileBatchApi.js"

/**
 * One operation as one typed descriptor: request line, schemas, replay rule.
 *
 * @since 0.3.0
 */
export * as Operation from "./Operation.js"

/**
 * Paths as templates: split once, filled with encoded IDs, matched against raw paths.
 *
 * @since 0.3.0
 */
export * as PathTemplate from "./PathTemplate.js"

/**
 * Creating a batch: its payload schema and limits.
 *
 * @since 0.3.0
 */
export * as CreateFileBatch from "./operations/createFileBatch.js"

/**
 * OpenAI's error body: schema, writing, reading.
 *
 * @since 0.3.0
 */
export * as ErrorResponse from "./ErrorResponse.js"

/**
 * What each status and each error means: error class, retry, exit kind, gateway answer.
 *
 * @since 0.3.0
 */
export * as ErrorTable from "./ErrorTable.js"

/**
 * The files of a batch: their schema and the list's query.
 *
 * @since 0.2.0
 */
export * as VectorStoreFile from "./VectorStoreFile.js"

/**
 * ID validation and path building.
 *
 * @since 0.1.0
 */
export * as FileBatchId from "./FileBatchId.js"

/**
 * Tagged errors.
 *
 * @since 0.1.0
 */
export * as FileBatchError from "./FileBatchError.js"

/**
 * Settings service and layers.
 *
 * @since 0.1.0
 */
export * as FileBatchConfig from "./FileBatchConfig.js"

/**
 * The one grammar for durations written by people (`500ms`, `30s`, `2m`, `10 seconds`).
 *
 * @since 0.2.0
 */
export * as DurationText from "./DurationText.js"

/**
 * The replaceable retry schedule.
 *
 * @since 0.1.0
 */
export * as RetryPolicy from "./RetryPolicy.js"

/**
 * The client service, `cancelFileBatch` and `retrieveFileBatch`.
 *
 * @since 0.1.0
 */
export * as FileBatchClient from "./FileBatchClient.js"

/**
 * `watch`, `awaitTerminal`, `cancelAndAwait`.
 *
 * @since 0.1.0
 */
export * as FileBatchWatch from "./FileBatchWatch.js"

/**
 * `cancelMany`.
 *
 * @since 0.1.0
 */
export * as FileBatchBulk from "./FileBatchBulk.js"

/**
 * `listBatchFiles`: every file of a batch, all pages followed; `listBatchFilePages`: the pages, JSON as received.
 *
 * @since 0.2.0
 */
export * as FileBatchFiles from "./FileBatchFiles.js"

export { cancelMany } from "./FileBatchBulk.js"
export {
  cancelFileBatch,
  createVectorStoreFileBatch,
  deleteFileObject,
  detachVectorStoreFile,
  retrieveFileBatch
} from "./FileBatchClient.js"
export { listBatchFilePages, listBatchFiles, listVectorStoreFilePages, listVectorStoreFiles } from "./FileBatchFiles.js"
export {
  awaitTerminal,
  cancelAndAwait,
  cancelAndWatch,
  cancelAndWatchResponses,
  watch,
  watchResponses
} from "./FileBatchWatch.js"

/**
 * A record of the proxy's audit trail, as the proxy writes it and the CLI reads it.
 *
 * @since 0.3.0
 */
export * as AuditRecord from "./AuditRecord.js"

/**
 * The proxy's own routes (health, readiness, metrics, docs, the admin port's audit
 * trail), each stated once with its port, query and answers.
 *
 * @since 0.3.0
 */
export * as ProxyContract from "./ProxyContract.js"

/**
 * A client of the proxy's `/audit` route, derived from its contract.
 *
 * @since 0.3.0
 */
export * as AuditClient from "./AuditClient.js"
