/**
 * `@filebatch/emulator`: a local OpenAI vector store file batch API, with faults on demand.
 *
 * @since 0.1.0
 */

/**
 * The emulator service, `make` and `layer`.
 *
 * @since 0.1.0
 */
export * as Emulator from "./Emulator.js"

/**
 * Settings and defaults.
 *
 * @since 0.1.0
 */
export * as EmulatorConfig from "./EmulatorConfig.js"

/**
 * Fault rules and plans.
 *
 * @since 0.1.0
 */
export * as Fault from "./Fault.js"

/**
 * The time batches progress on, which tests hold and advance.
 *
 * @since 0.2.0
 */
export * as Progress from "./Progress.js"

/**
 * The request log.
 *
 * @since 0.1.0
 */
export * as RequestLog from "./RequestLog.js"

/**
 * The in-memory state.
 *
 * @since 0.1.0
 */
export * as Store from "./Store.js"

/**
 * The `emulator` command, to run alone or inside another CLI.
 *
 * @since 0.1.0
 */
export * as EmulatorCommand from "./EmulatorCommand.js"
