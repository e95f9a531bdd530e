import { isGraphBubbleUp } from "@langchain/langgraph";
import { metrics } from "./metrics";
import { inSpan } from "./tracing";

/**
 * A graph node, timed and counted by name. A node pausing for approval (or LangGraph unwinding for
 * another reason) is not a failure.
 */
export function instrumentNode<A extends unknown[], R>(node: string, fn: (...args: A) => R | Promise<R>): (...args: A) => Promise<R> {
  return async (...args: A) => {
    const started = performance.now();
    try {
      return await inSpan(`graph.node ${node}`, { "langgraph.node": node }, () => Promise.resolve(fn(...args)));
    } catch (err) {
      if (!isGraphBubbleUp(err)) metrics().nodeFailures.inc({ node });
      throw err;
    } finally {
      metrics().nodeDuration.observe({ node }, (performance.now() - started) / 1000);
    }
  };
}
