/** OpenTelemetry's SDK and OTLP exporters: imported only when tracing is on. */
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { OTLPTraceExporter as JsonExporter } from "@opentelemetry/exporter-trace-otlp-http"
import { OTLPTraceExporter as ProtobufExporter } from "@opentelemetry/exporter-trace-otlp-proto"
import { BatchSpanProcessor } from "@opentelemetry/sdk-trace-base"
import type { Settings } from "../Tracing.js"

// The exporters read the endpoint, headers, timeout and compression from the OTEL_* variables,
// and the tracer provider reads the sampler (OTEL_TRACES_SAMPLER, _ARG) and the batch settings.
export const layer = (settings: Settings, serviceVersion: string) =>
  NodeSdk.layer(() => ({
    spanProcessor: new BatchSpanProcessor(
      settings.protocol === "http/json" ? new JsonExporter() : new ProtobufExporter()
    ),
    resource: { serviceName: settings.serviceName, serviceVersion },
    shutdownTimeout: "5 seconds"
  }))
