import { isGraphBubbleUp } from "@langchain/langgraph";
import { type Attributes, type Span, SpanStatusCode, trace } from "@opentelemetry/api";

/**
 * Spans through the OpenTelemetry API. Until `startTracing` registers an SDK (only when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set) the API hands out non-recording spans: next to no cost.
 */
export const tracer = () => trace.getTracer("threadline");

/** Runs `fn` in a span, recording a thrown error (a graph pausing for approval is not one). */
export function inSpan<T>(name: string, attributes: Attributes, fn: (span: Span) => Promise<T>): Promise<T> {
  return tracer().startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      if (!isGraphBubbleUp(err)) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      }
      throw err;
    } finally {
      span.end();
    }
  });
}
