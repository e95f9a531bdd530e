import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import type { CallbackManager, Callbacks } from "@langchain/core/callbacks/manager";
import type { UsageMetadata } from "@langchain/core/messages";
import { metrics } from "./metrics";

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
    callbacks(existing: Callbacks | undefined): Callbacks {
      if (!existing) return [handler];
      if (Array.isArray(existing)) return [...existing, handler];
      return (existing as CallbackManager).copy([handler]);
    },
    async track<T>(fn: () => Promise<T>): Promise<T> {
      let outcome = "error";
      try {
        const result = await fn();
        outcome = "ok";
        return result;
      } finally {
        m.modelCall.observe({ ...labels, outcome }, (performance.now() - started) / 1000);
      }
    },
    usage(usage: UsageMetadata | undefined) {
      if (!usage) return;
      m.tokens.inc({ ...labels, direction: "in" }, usage.input_tokens);
      m.tokens.inc({ ...labels, direction: "out" }, usage.output_tokens);
    },
  };
}
