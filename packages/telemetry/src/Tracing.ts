/**
 * Tracing for the CLI and the proxy, configured by the standard `OTEL_*` variables only.
 *
 * Nothing of OpenTelemetry is loaded unless an OTLP endpoint is set: the SDK and its
 * exporters sit behind a dynamic import, and without them Effect's spans are not even
 * made on the proxy's request path, because an unsampled span still costs
 * about 12 µs of CPU there (docs/benchmarks.md).
 *
 * @since 0.1.0
 */
import { ConfigError, Effect, Either, Layer, Option } from "effect"
import { loadSdk } from "./internal/loadSdk.js"
import type { Settings } from "./internal/settings.js"

export type {
  /**
   * The OTLP encodings over HTTP that are supported.
   *
   * @since 0.1.0
   * @category models
   */
  Protocol,
  /**
   * What the standard variables ask for: where spans go, how they are encoded, the resource.
   *
   * @since 0.1.0
   * @category models
   */
  Settings
} from "./internal/settings.js"

type Env = Readonly<Record<string, string | undefined>>

const nonBlank = (value: string | undefined) => value !== undefined && value.trim() !== "" ? value.trim() : undefined

/** `OTEL_RESOURCE_ATTRIBUTES`: `name=value` pairs, comma-separated, values URL-encoded; malformed pairs are skipped. */
const resourceAttributesIn = (env: Env): Record<string, string> => {
  const attributes: Record<string, string> = {}
  for (const pair of (env["OTEL_RESOURCE_ATTRIBUTES"] ?? "").split(",")) {
    const at = pair.indexOf("=")
    if (at <= 0) continue
    try {
      attributes[pair.slice(0, at).trim()] = decodeURIComponent(pair.slice(at + 1).trim())
    } catch {
      // a badly encoded value is skipped, as the SDK's own reader does
    }
  }
  return attributes
}

/** `name=value` pairs, comma-separated, URL-encoded (the OTLP exporter's format); values never appear in errors. */
const headersIn = (env: Env): Either.Either<Record<string, string>, ConfigError.ConfigError> => {
  const headers: Record<string, string> = {}
  for (const name of ["OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS"] as const) {
    for (const pair of (nonBlank(env[name]) ?? "").split(",")) {
      if (pair.trim() === "") continue
      const at = pair.indexOf("=")
      if (at <= 0) {
        return Either.left(ConfigError.InvalidData([name], `${name} must be name=value pairs separated by commas`))
      }
      try {
        headers[decodeURIComponent(pair.slice(0, at).trim()).toLowerCase()] = decodeURIComponent(
          pair.slice(at + 1).trim()
        )
      } catch {
        return Either.left(ConfigError.InvalidData([name], `${name} has a badly encoded pair`))
      }
    }
  }
  return Either.right(headers)
}

/**
 * Reads the standard variables: `None` when no OTLP endpoint is set (or the SDK is disabled,
 * or the traces exporter is `none`), an error naming the variable when one is invalid.
 *
 * @since 0.1.0
 * @category constructors
 */
export const settingsFrom = (
  env: Env,
  defaultServiceName: string
): Either.Either<Option.Option<Settings>, ConfigError.ConfigError> => {
  const tracesEndpoint = nonBlank(env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"])
  const general = nonBlank(env["OTEL_EXPORTER_OTLP_ENDPOINT"])
  const endpoint = tracesEndpoint ?? general
  if (
    endpoint === undefined || nonBlank(env["OTEL_SDK_DISABLED"])?.toLowerCase() === "true" ||
    nonBlank(env["OTEL_TRACES_EXPORTER"])?.toLowerCase() === "none"
  ) {
    return Either.right(Option.none())
  }
  const protocolName = nonBlank(env["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"])
    ? "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"
    : "OTEL_EXPORTER_OTLP_PROTOCOL"
  const protocol = nonBlank(env[protocolName]) ?? "http/protobuf"
  if (protocol !== "http/protobuf" && protocol !== "http/json") {
    return Either.left(
      ConfigError.InvalidData(
        [protocolName],
        `${protocolName}=${protocol} is not supported: use http/protobuf (the default) or http/json`
      )
    )
  }
  try {
    const url = new URL(endpoint)
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("not http")
  } catch {
    const name = tracesEndpoint !== undefined ? "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT" : "OTEL_EXPORTER_OTLP_ENDPOINT"
    return Either.left(ConfigError.InvalidData([name], `${name} must be an http(s) URL`))
  }
  const headers = headersIn(env)
  const resource = resourceAttributesIn(env)
  if (Either.isLeft(headers)) return Either.left(headers.left)
  return Either.right(Option.some({
    url: tracesEndpoint ?? `${general!.replace(/\/+$/, "")}/v1/traces`,
    headers: headers.right,
    protocol,
    serviceName: nonBlank(env["OTEL_SERVICE_NAME"]) ?? resource["service.name"] ?? defaultServiceName,
    resourceAttributes: resource
  }))
}

/**
 * The tracer: OpenTelemetry's SDK with its OTLP exporter for `settings`, batched, flushed
 * when the layer closes. The SDK is imported only here, when the layer is built.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (settings: Settings, serviceVersion: string): Layer.Layer<never> =>
  Layer.unwrapEffect(
    Effect.map(Effect.promise(loadSdk), (sdk) => sdk.layer(settings, serviceVersion))
  )

/**
 * The tracer when the environment asks for one, else nothing at all. Invalid variables fail
 * the layer with a `ConfigError` that names them.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFromEnv = (
  defaultServiceName: string,
  serviceVersion: string,
  env: Env = process.env
): Layer.Layer<never, ConfigError.ConfigError> =>
  Either.match(settingsFrom(env, defaultServiceName), {
    onLeft: (error) => Layer.fail(error),
    onRight: Option.match({ onNone: () => Layer.empty, onSome: (settings) => layer(settings, serviceVersion) })
  })
