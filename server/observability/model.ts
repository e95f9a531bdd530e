import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import type { Callbacks } from "@langchain/core/callbacks/manager";
import { withHandler } from "./callbacks";
import type { UsageMetadata } from "@langchain/core/messages";
import { metrics } from "./metrics";
import { inSpan } from "./tracing";

class FirstToken extends BaseCallbackHandler {
  name = "threadline-first-token";
  seen = false;
  constructor(private readonly onFirst: () => void) {
    super();
  }
  override handleLLMNewToken() {
    if (this.seen) return;
    this.seen = true;
    this.onFirst();
  }
}

/**
 * One model call's figures: its duration and outcome, when its first token arrived, and the tokens
 * it used. The first-token handler joins the callbacks LangGraph already passes (which carry the
 * token stream), rather than replacing them.
 */
export function observeModelCall(labels: { provider: string; model: string }) {
  const started = performance.now();
  const m = metrics();
  const handler = new FirstToken(() => m.firstToken.observe(labels, (performance.now() - started) / 1000));
  return {
    callbacks: (existing: Callbacks | undefined): Callbacks => withHandler(existing, handler),
    /** Runs the call in its span; the reply's token usage goes on the span and into the counters. */
    async track<T extends { usage_metadata?: UsageMetadata }>(fn: () => Promise<T>): Promise<T> {
      let outcome = "error";
      try {
        const result = await inSpan("model.call", { "gen_ai.system": labels.provider, "gen_ai.request.model": labels.model }, async (span) => {
          const reply = await fn();
          const usage = reply.usage_metadata;
          if (usage) {
            span.setAttributes({ "gen_ai.usage.input_tokens": usage.input_tokens, "gen_ai.usage.output_tokens": usage.output_tokens });
            m.tokens.inc({ ...labels, direction: "in" }, usage.input_tokens);
            m.tokens.inc({ ...labels, direction: "out" }, usage.output_tokens);
          }
          return reply;
        });
        outcome = "ok";
        return result;
      } finally {
        m.modelCall.observe({ ...labels, outcome }, (performance.now() - started) / 1000);
      }
    },
  };
}
