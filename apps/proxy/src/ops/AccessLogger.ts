/**
 * JSON lines on stdout, one object per log entry: `{"time","level","message",...fields}`.
 * Lines are gathered and written once per event-loop turn: under load one write
 * per request was a large share of the proxy's CPU (stdout to a pipe is synchronous on
 * Linux; docs/benchmarks.md). Anything still buffered is written synchronously at exit.
 *
 * The access log line of every request is written straight to the sink: going through
 * Effect's logger with a dozen annotations (a persistent HashMap per request) cost a
 * large share of the proxy's CPU. Other messages use Effect's logger, into the same sink.
 */
import { Context, Effect, FiberRef, HashMap, Layer, Logger, LogLevel } from "effect"
import { writeSync } from "node:fs"

/** Buffered JSON lines. */
export interface JsonLines {
  readonly write: (level: string, message: unknown, fields: Readonly<Record<string, unknown>>) => void
}

export const makeJsonLines = (
  write: (text: string) => void = (text) => process.stdout.write(text),
  /** Fields every line carries (a worker's number). */
  context?: Readonly<Record<string, unknown>>
): JsonLines => {
  let buffer: Array<string> = []
  let scheduled = false
  const flush = () => {
    scheduled = false
    if (buffer.length === 0) return
    const text = buffer.join("")
    buffer = []
    write(text)
  }
  process.once("exit", () => {
    if (buffer.length > 0) writeSync(1, buffer.join(""))
    buffer = []
  })
  return {
    write: (level, message, fields) => {
      // Serialised in two parts rather than spreading the fields into a new object per line.
      const rest = JSON.stringify(context === undefined ? fields : { ...context, ...fields })
      buffer.push(
        `{"time":"${new Date().toISOString()}","level":${JSON.stringify(level)},"message":${
          JSON.stringify(message) ?? "null"
        }${rest === "{}" ? "}" : `,${rest.slice(1)}`}\n`
      )
      if (!scheduled) {
        scheduled = true
        setImmediate(flush)
      }
    }
  }
}

/** Effect's logger into the same lines, annotations as fields. */
export const makeJsonLinesLogger = (lines: JsonLines) =>
  Logger.make(({ annotations, logLevel, message }) => {
    const fields: Record<string, unknown> = {}
    for (const [key, value] of HashMap.toEntries(annotations)) fields[key] = value
    lines.write(
      logLevel.label.toLowerCase(),
      Array.isArray(message) && message.length === 1 ? message[0] : message,
      fields
    )
  })

/** Where the proxy writes its access log; provided by the entry point. */
export class AccessLog extends Context.Tag("@filebatch/proxy/AccessLog")<AccessLog, JsonLines>() {}

/** The access log as the log level has it: a line per request at info, health checks too at debug. */
export interface RequestLogService {
  /** Writes a request's line; undefined when the log level hides it. */
  readonly write: ((fields: Readonly<Record<string, unknown>>) => void) | undefined
  /** Whether health and readiness checks get lines too (they come every few seconds). */
  readonly healthChecks: boolean
}

export class RequestLog extends Context.Tag("@filebatch/proxy/RequestLog")<RequestLog, RequestLogService>() {}

export const layer: Layer.Layer<RequestLog, never, AccessLog> = Layer.effect(
  RequestLog,
  Effect.gen(function*() {
    const lines = yield* AccessLog
    const minimumLevel = yield* FiberRef.get(FiberRef.currentMinimumLogLevel)
    return {
      write: LogLevel.greaterThanEqual(LogLevel.Info, minimumLevel)
        ? (fields: Readonly<Record<string, unknown>>) => lines.write("info", "request", fields)
        : undefined,
      healthChecks: LogLevel.greaterThanEqual(LogLevel.Debug, minimumLevel)
    }
  })
)
