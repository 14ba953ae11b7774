/** The tracing settings read from the standard variables (`Tracing.settingsFrom`); the SDK is built from them. */
/**
 * What the standard variables ask for: where spans go and how they are encoded.
 */
export interface Settings {
  /** Where spans are sent: the traces endpoint, or `/v1/traces` under the general one. */
  readonly url: string
  /** `OTEL_EXPORTER_OTLP_HEADERS` (or its traces form): sent with every export, never logged. */
  readonly headers: Readonly<Record<string, string>>
  readonly protocol: Protocol
  readonly serviceName: string
  /** `OTEL_RESOURCE_ATTRIBUTES`, beside the service's name and version. */
  readonly resourceAttributes: Readonly<Record<string, string>>
}

/**
 * The OTLP encodings over HTTP that are supported; gRPC is not (it would add a gRPC stack to a one-file bundle).
 */
export type Protocol = "http/protobuf" | "http/json"
