/** OpenTelemetry's SDK and OTLP exporters: imported only when tracing is on. */
import * as NodeSdk from "@effect/opentelemetry/NodeSdk"
import { OTLPTraceExporter as JsonExporter } from "@opentelemetry/exporter-trace-otlp-http"
import { OTLPTraceExporter as ProtobufExporter } from "@opentelemetry/exporter-trace-otlp-proto"
import { BatchSpanProcessor } from "@opentelemetry/sdk-trace-base"
import { hostname } from "node:os"
import type { Settings } from "./settings.js"

// The URL and headers as read by Tracing.settingsFrom; the exporter reads its timeout and
// compression, and the tracer provider the sampler (OTEL_TRACES_SAMPLER, _ARG) and the batch
// settings (OTEL_BSP_*), from the variables themselves.
export const layer = (settings: Settings, serviceVersion: string) =>
  NodeSdk.layer(() => ({
    spanProcessor: new BatchSpanProcessor(
      settings.protocol === "http/json"
        ? new JsonExporter({ url: settings.url, headers: { ...settings.headers } })
        : new ProtobufExporter({ url: settings.url, headers: { ...settings.headers } })
    ),
    resource: {
      serviceName: settings.serviceName,
      serviceVersion,
      // Replicas and workers apart: each process is an instance unless the variables name one.
      attributes: { "service.instance.id": `${hostname()}/${process.pid}`, ...settings.resourceAttributes }
    },
    shutdownTimeout: "5 seconds"
  }))
