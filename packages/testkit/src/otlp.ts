/**
 * An OTLP/HTTP traces receiver on loopback, decoding what OpenTelemetry's official exporters
 * send, in both encodings (`http/protobuf` with protobufjs over the OTLP schema, and
 * `http/json`), into one plain shape that tests read.
 */
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { gunzipSync } from "node:zlib"
import protobuf from "protobufjs"
import { eventually } from "./eventually.js"

// The part of opentelemetry-proto's trace schema that tests read; protobuf skips the rest.
const schema = protobuf.parse(`
syntax = "proto3";
message AnyValue {
  oneof value {
    string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
    ArrayValue array_value = 5; bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message Resource { repeated KeyValue attributes = 1; }
message InstrumentationScope { string name = 1; string version = 2; }
message Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; }
message Link { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; repeated KeyValue attributes = 4; }
message Status { string message = 2; int32 code = 3; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4; string name = 5;
  int32 kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8; repeated KeyValue attributes = 9;
  repeated Event events = 11; repeated Link links = 13; Status status = 15;
}
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
`).root
const ExportTraceServiceRequest = schema.lookupType("ExportTraceServiceRequest")

/** A span as the receiver got it; IDs in lowercase hex, times in milliseconds. */
export interface ReceivedSpan {
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId: string | undefined
  readonly name: string
  readonly kind: "internal" | "server" | "client" | "producer" | "consumer" | "unspecified"
  readonly startMillis: number
  readonly endMillis: number
  readonly attributes: Readonly<Record<string, unknown>>
  readonly events: ReadonlyArray<{ readonly name: string; readonly attributes: Readonly<Record<string, unknown>> }>
  readonly links: ReadonlyArray<{ readonly traceId: string; readonly spanId: string }>
  readonly status: { readonly code: number; readonly message: string }
  /** The sender's resource attributes (`service.name`, ...). */
  readonly resource: Readonly<Record<string, unknown>>
  /** How it came: `protobuf` or `json`. */
  readonly encoding: "protobuf" | "json"
}

const kinds = ["unspecified", "internal", "server", "client", "producer", "consumer"] as const

const hex = (value: unknown): string =>
  value === undefined || value === null
    ? ""
    : typeof value === "string"
    ? value.toLowerCase()
    : Buffer.from(value as Uint8Array).toString("hex")

const valueOf = (value: Record<string, unknown> | undefined): unknown => {
  if (value === undefined || value === null) return undefined
  for (const [name, inner] of Object.entries(value)) {
    if (inner === undefined || inner === null) continue
    if (name === "stringValue" || name === "boolValue" || name === "doubleValue") return inner
    if (name === "intValue") return Number(inner)
    if (name === "arrayValue") {
      return ((inner as { values?: Array<Record<string, unknown>> }).values ?? []).map(valueOf)
    }
    if (name === "bytesValue") return hex(inner)
  }
  return undefined
}

const attributesOf = (list: unknown): Record<string, unknown> => {
  const attributes: Record<string, unknown> = {}
  for (const entry of (list ?? []) as Array<{ key: string; value?: Record<string, unknown> }>) {
    attributes[entry.key] = valueOf(entry.value)
  }
  return attributes
}

const millis = (nanos: unknown) => Number(BigInt(String(nanos ?? 0)) / 1_000_000n)

interface OtlpKeyValue {
  readonly key: string
  readonly value?: Record<string, unknown>
}

interface OtlpSpan {
  readonly traceId?: unknown
  readonly spanId?: unknown
  readonly parentSpanId?: unknown
  readonly name: string
  readonly kind?: number
  readonly startTimeUnixNano?: unknown
  readonly endTimeUnixNano?: unknown
  readonly attributes?: ReadonlyArray<OtlpKeyValue>
  readonly events?: ReadonlyArray<{ readonly name: string; readonly attributes?: ReadonlyArray<OtlpKeyValue> }>
  readonly links?: ReadonlyArray<{ readonly traceId?: unknown; readonly spanId?: unknown }>
  readonly status?: { readonly code?: number; readonly message?: string }
}

interface OtlpResourceSpans {
  readonly resource?: { readonly attributes?: ReadonlyArray<OtlpKeyValue> }
  readonly scopeSpans?: ReadonlyArray<{ readonly spans?: ReadonlyArray<OtlpSpan> }>
}

/** The request as plain objects with protobuf's camelCase names, whichever encoding it came in. */
const decode = (body: Buffer, encoding: "protobuf" | "json"): ReadonlyArray<OtlpResourceSpans> => {
  const request = encoding === "json"
    ? JSON.parse(body.toString("utf8"))
    : ExportTraceServiceRequest.toObject(ExportTraceServiceRequest.decode(body), { longs: String, bytes: Buffer })
  return request.resourceSpans ?? []
}

const spansOf = (body: Buffer, encoding: "protobuf" | "json"): Array<ReceivedSpan> =>
  decode(body, encoding).flatMap((resourceSpans) => {
    const resource = attributesOf(resourceSpans.resource?.attributes)
    return (resourceSpans.scopeSpans ?? []).flatMap((scopeSpans) =>
      (scopeSpans.spans ?? []).map((span): ReceivedSpan => {
        const parent = hex(span.parentSpanId)
        return {
          traceId: hex(span.traceId),
          spanId: hex(span.spanId),
          parentSpanId: parent === "" ? undefined : parent,
          name: span.name,
          kind: kinds[span.kind ?? 0] ?? "unspecified",
          startMillis: millis(span.startTimeUnixNano),
          endMillis: millis(span.endTimeUnixNano),
          attributes: attributesOf(span.attributes),
          events: (span.events ?? []).map((event) => ({
            name: event.name,
            attributes: attributesOf(event.attributes)
          })),
          links: (span.links ?? []).map((link) => ({
            traceId: hex(link.traceId),
            spanId: hex(link.spanId)
          })),
          status: { code: span.status?.code ?? 0, message: span.status?.message ?? "" },
          resource,
          encoding
        }
      })
    )
  })

/** A running receiver. */
export interface OtlpReceiver {
  /** The base URL, for `OTEL_EXPORTER_OTLP_ENDPOINT` (spans go to `/v1/traces` under it). */
  readonly url: string
  /** Every span received so far, in arrival order. */
  readonly spans: ReadonlyArray<ReceivedSpan>
  /** Export requests that could not be decoded (each answered 400). */
  readonly rejected: ReadonlyArray<string>
  /** The raw bodies as received, for the no-secrets check. */
  readonly bodies: ReadonlyArray<Buffer>
  /** Waits until `check` holds of the spans received (a safety net of 60 s, never the thing asserted). */
  readonly waitFor: <A>(
    what: string,
    check: (spans: ReadonlyArray<ReceivedSpan>) => A | undefined | false
  ) => Promise<A>
  readonly close: () => Promise<void>
}

/** Starts a receiver on 127.0.0.1 on a free port. */
export const startOtlpReceiver = async (): Promise<OtlpReceiver> => {
  const spans: Array<ReceivedSpan> = []
  const rejected: Array<string> = []
  const bodies: Array<Buffer> = []
  const server = createServer((request, response) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      const type = request.headers["content-type"] ?? ""
      const encoding = type.startsWith("application/json") ? "json" : "protobuf"
      try {
        if (request.method !== "POST" || request.url !== "/v1/traces") {
          throw new Error(`${request.method} ${request.url}`)
        }
        let body = Buffer.concat(chunks)
        if (request.headers["content-encoding"] === "gzip") body = gunzipSync(body)
        bodies.push(body)
        spans.push(...spansOf(body, encoding))
        response.writeHead(200, { "content-type": type === "" ? "application/x-protobuf" : type })
        response.end(encoding === "json" ? "{}" : "")
      } catch (error) {
        rejected.push(String(error))
        response.writeHead(400)
        response.end()
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    rejected,
    bodies,
    waitFor: (what, check) => eventually(what, () => check(spans), { everyMillis: 25 }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

/** The spans of one trace as an indented tree (`name [kind]`), children by start time: for docs and failures. */
export const traceTree = (
  spans: ReadonlyArray<ReceivedSpan>,
  traceId: string,
  label = (span: ReceivedSpan) => span.name
) => {
  const inTrace = spans.filter((span) => span.traceId === traceId).sort((a, b) => a.startMillis - b.startMillis)
  const ids = new Set(inTrace.map((span) => span.spanId))
  const lines: Array<string> = []
  const walk = (parent: string | undefined, depth: number) => {
    for (const span of inTrace) {
      const isChild = parent === undefined
        ? span.parentSpanId === undefined || !ids.has(span.parentSpanId)
        : span.parentSpanId === parent
      if (!isChild) continue
      lines.push(`${"  ".repeat(depth)}${label(span)}`)
      walk(span.spanId, depth + 1)
    }
  }
  walk(undefined, 0)
  return lines.join("\n")
}
