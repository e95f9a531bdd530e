import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { config } from "@/server/config";

/**
 * Exports spans over OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT (the exporter reads it, and
 * OTEL_EXPORTER_OTLP_HEADERS, itself). Called from instrumentation.ts only when that is set, so the
 * SDK is not even loaded otherwise.
 */
export function startTracing() {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": config().OTEL_SERVICE_NAME }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register();
  return () => provider.shutdown();
}
