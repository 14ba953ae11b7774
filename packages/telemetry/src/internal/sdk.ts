/** OpenTelemetry's SDK and OTLP exporters: imported only when tracing is on. */
import { layerTracerProvider } from "@effect/opentelemetry/NodeSdk"
import * as Resource from "@effect/opentelemetry/Resource"
import * as OtelTracer from "@effect/opentelemetry/Tracer"
import { OTLPTraceExporter as JsonExporter } from "@opentelemetry/exporter-trace-otlp-http"
import { OTLPTraceExporter as ProtobufExporter } from "@opentelemetry/exporter-trace-otlp-proto"
import { BatchSpanProcessor } from "@opentelemetry/sdk-trace-base"
// Effect's modules by path, not the barrel: the embedded SDK takes them from the app's bundle,
// and the barrel would bring all of Effect into it (esbuild.mjs).
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Tracer from "effect/Tracer"
import { hostname } from "node:os"
import type { Settings } from "./settings.js"

// Effect's OpenTelemetry tracer makes a span's context OpenTelemetry's active one around every
// step of a fiber in that span, for OpenTelemetry's own instrumentations (of node:http, say).
// filebatch runs none: core sends `traceparent` itself, from Effect's spans. That context cost
// a share of every traced request's CPU (docs/benchmarks.md), so the tracer here only makes spans.
const spansOnly = Layer.unwrapEffect(
  Effect.map(
    OtelTracer.make,
    (tracer) => Layer.setTracer(Tracer.make({ span: tracer.span, context: (execution) => execution() }))
  )
)

// The URL and headers as read by Tracing.settingsFrom; the exporter reads its timeout and
// compression, and the tracer provider the sampler (OTEL_TRACES_SAMPLER, _ARG) and the batch
// settings (OTEL_BSP_*), from the variables themselves.
export const layer = (settings: Settings, serviceVersion: string) =>
  spansOnly.pipe(
    Layer.provide(OtelTracer.layerTracer),
    Layer.provide(layerTracerProvider(
      new BatchSpanProcessor(
        settings.protocol === "http/json"
          ? new JsonExporter({ url: settings.url, headers: { ...settings.headers } })
          : new ProtobufExporter({ url: settings.url, headers: { ...settings.headers } })
      ),
      { shutdownTimeout: "5 seconds" }
    )),
    Layer.provide(Resource.layerFromEnv(Resource.configToAttributes({
      serviceName: settings.serviceName,
      serviceVersion,
      // Replicas and workers apart: each process is an instance unless the variables name one.
      attributes: { "service.instance.id": `${hostname()}/${process.pid}`, ...settings.resourceAttributes }
    })))
  )
