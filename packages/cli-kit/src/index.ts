/**
 * What the `filebatch` and `filebatch-proxy` command lines share.
 *
 * @since 0.1.0
 */

/**
 * @effect/cli's help and messages made compact and fit for pipes; suggestions for slips.
 *
 * @since 0.1.0
 */
export * as Help from "./Help.js"

/**
 * One command's `--help` page, compact as gh's.
 *
 * @since 0.1.0
 */
export * as CommandHelp from "./CommandHelp.js"
