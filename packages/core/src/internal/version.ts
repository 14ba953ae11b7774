/** Kept in step with package.json by a test. */
export const libraryVersion = "0.1.0"

export const userAgent = `filebatch-core/${libraryVersion} (node; effect)`
