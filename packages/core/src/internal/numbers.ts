import { Schema } from "effect"

// Built from `Schema.Number` rather than Effect's `Int` / `NonNegativeInt`: those are named
// JSON Schema components that are both titled "int", which an OpenAPI document shows as two
// schemas of one name. These stay inline, and decode the same.

/** A whole number of files, 0 or more. */
export const Count = Schema.Number.pipe(Schema.int(), Schema.nonNegative())

/** A Unix time in whole seconds. */
export const UnixSeconds = Schema.Number.pipe(Schema.int())
