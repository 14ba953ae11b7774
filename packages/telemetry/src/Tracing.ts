/**
 * Tracing for the CLI and the proxy, configured by the standard `OTEL_*` variables only.
 *
 * Nothing of OpenTelemetry is loaded unless an OTLP endpoint is set: the SDK and its
 * exporters sit behind a dynamic import, and without them Effect's spans are not even
 * made on the proxy's request path (see `isOn`), because an unsampled span still costs
 * about 12 µs of CPU there (docs/benchmarks.md).
 *
 * @since 0.1.0
 */
import { ConfigError, Effect, Either, Layer, Option } from "effect"

/**
 * What the standard variables ask for: where spans go and how they are encoded.
 *
 * @since 0.1.0
 * @category models
 */
export interface Settings {
  /** The traces endpoint as given, for the start-up line (the exporter reads the variables itself). */
  readonly endpoint: string
  readonly protocol: Protocol
  readonly serviceName: string
}

/**
 * The OTLP encodings over HTTP that are supported; gRPC is not (it would add a gRPC stack to a one-file bundle).
 *
 * @since 0.1.0
 * @category models
 */
export type Protocol = "http/protobuf" | "http/json"

type Env = Readonly<Record<string, string | undefined>>

const nonBlank = (value: string | undefined) => value !== undefined && value.trim() !== "" ? value.trim() : undefined

const serviceNameIn = (env: Env): string | undefined => {
  const named = nonBlank(env["OTEL_SERVICE_NAME"])
  if (named !== undefined) return named
  for (const pair of (env["OTEL_RESOURCE_ATTRIBUTES"] ?? "").split(",")) {
    const [name, value] = pair.split("=")
    if (name?.trim() === "service.name" && nonBlank(value) !== undefined) return decodeURIComponent(value!.trim())
  }
  return undefined
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
  const endpoint = nonBlank(env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]) ?? nonBlank(env["OTEL_EXPORTER_OTLP_ENDPOINT"])
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
    const name = nonBlank(env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"]) !== undefined
      ? "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
      : "OTEL_EXPORTER_OTLP_ENDPOINT"
    return Either.left(ConfigError.InvalidData([name], `${name} must be an http(s) URL`))
  }
  return Either.right(Option.some({ endpoint, protocol, serviceName: serviceNameIn(env) ?? defaultServiceName }))
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
    Effect.map(Effect.promise(() => import("./internal/sdk.js")), (sdk) => sdk.layer(settings, serviceVersion))
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

/**
 * Whether the environment turns tracing on, for the parts that make spans only then.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isOn = (env: Env = process.env): boolean =>
  Either.match(settingsFrom(env, ""), { onLeft: () => false, onRight: Option.isSome })

/**
 * The standard variables read, for `--help` texts.
 *
 * @since 0.1.0
 * @category constants
 */
export const variables = [
  "OTEL_EXPORTER_OTLP_ENDPOINT",
  "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
  "OTEL_EXPORTER_OTLP_PROTOCOL",
  "OTEL_EXPORTER_OTLP_HEADERS",
  "OTEL_SERVICE_NAME",
  "OTEL_RESOURCE_ATTRIBUTES",
  "OTEL_TRACES_SAMPLER",
  "OTEL_TRACES_SAMPLER_ARG"
] as const

