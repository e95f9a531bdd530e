import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { type Span, SpanStatusCode } from "@opentelemetry/api";
import { tracer } from "./tracing";

/** A span for each tool call, opened and closed by LangChain's tool callbacks. */
export class ToolSpans extends BaseCallbackHandler {
  name = "threadline-tool-spans";
  private readonly spans = new Map<string, Span>();

  override handleToolStart(
    _tool: unknown,
    _input: string,
    runId: string,
    _parentRunId?: string,
    _tags?: string[],
    _metadata?: Record<string, unknown>,
    runName?: string,
  ) {
    this.spans.set(runId, tracer().startSpan(`tool ${runName ?? "unknown"}`, { attributes: { "gen_ai.tool.name": runName ?? "unknown" } }));
  }

  override handleToolEnd(_output: unknown, runId: string) {
    this.spans.get(runId)?.end();
    this.spans.delete(runId);
  }

  override handleToolError(err: Error, runId: string) {
    const span = this.spans.get(runId);
    span?.recordException(err);
    span?.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
    span?.end();
    this.spans.delete(runId);
  }
}
