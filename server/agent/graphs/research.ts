import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { RunnableConfig } from "@langchain/core/runnables";
import { Annotation, END, START, StateGraph } from "@langchain/langgraph";
import { textOf } from "@/lib/text";
import { instrumentNode } from "@/server/observability/graph";
import { contextBudget, extractiveSummarizer } from "../context";
import { AgentState, DEFAULT_RETRY, loggedRetries } from "../graph";
import { modelNode, SYSTEM_PROMPT } from "../nodes/model";
import { reviewNode, toolsNode } from "../nodes/review";
import { stepLimitNode, toolRoundsThisTurn } from "../nodes/step-limit";
import { describeCall, PHASE_PROMPTS, type ResearchPhase, roundsThisTurn, thisTurn } from "./research-rounds";
import { stepAt, StepsAnnotation } from "./steps";
import type { GraphContext, GraphDefinition } from "./types";

/** Rounds of corrected calls a turn may make after a round that failed; then it answers with what it has. */
export const MAX_RETRIES = 2;

export const ResearchState = Annotation.Root({ ...AgentState.spec, ...StepsAnnotation.spec });
type State = typeof ResearchState.State;

const calls = (m: BaseMessage | undefined) => (m && AIMessage.isInstance(m) ? (m.tool_calls ?? []) : []);

/** How the latest round went, and whether the turn may retry what failed: what `check` reports and routes on. */
function assess(state: State) {
  const round = roundsThisTurn(state.messages).at(-1) ?? [];
  const failed = round.filter((r) => r.outcome === "failed");
  const declined = round.filter((r) => r.outcome === "declined").length;
  const turnStart = state.messages.length - thisTurn(state.messages).length;
  const retried = state.steps.filter((s) => s.kind === "retry" && s.at >= turnStart).length;
  return { round, failed, declined, retry: failed.length > 0 && retried < MAX_RETRIES };
}

function checkLabel({ round, failed, declined, retry }: ReturnType<typeof assess>): string {
  const ok = round.length - failed.length - declined;
  const parts = [`${ok} of ${round.length} ${round.length === 1 ? "lookup" : "lookups"} succeeded`];
  if (declined) parts.push(`${declined} not run`);
  if (failed.length) parts.push(`failed: ${failed.map((f) => `${f.call.name} (${textOf(f.result!).replace(/^Error:\s*/, "") || "empty result"})`).join(", ")}`);
  if (failed.length && !retry) parts.push("no retries left");
  return `Check: ${parts.join("; ")}`;
}

/**
 * The Research agent: plan → (review) → tools, all of a round's calls at once → check → retry what
 * failed with corrected input (at most MAX_RETRIES rounds) → answer. Each step is reported on the
 * `steps` channel, so the UI lists it as it happens. The answer's node is named `model` and the
 * tool results' `tools`, as the run executor expects when it saves a stopped answer.
 */
export const researchGraph: GraphDefinition = {
  id: "research",
  build(ctx: GraphContext) {
    const base = ctx.systemPrompt ?? SYSTEM_PROMPT;
    const budget = contextBudget();
    const summarizer = ctx.summarizer ?? extractiveSummarizer;
    const retryPolicy = loggedRetries(ctx.retry ?? DEFAULT_RETRY);
    const call = (phase: ResearchPhase) =>
      modelNode(
        ctx.model,
        ctx.tools,
        ctx.modelTimeoutMs,
        budget,
        summarizer,
        ctx.labels,
        ctx.memory,
        `${base}\n\n${PHASE_PROMPTS[phase]}`,
        ctx.answeredBy,
        ctx.attachments ?? null,
      );
    // A model step: its step is taken before the message it adds, and labelled from that message.
    const modelStep = (phase: ResearchPhase, label: (reply: AIMessage) => string | null) => {
      const node = call(phase);
      return instrumentNode(phase === "answer" ? "model" : phase, async (state: State, config: RunnableConfig) => {
        const out = await node(state, config);
        const text = label(out.messages[0]!);
        return { ...out, steps: text ? [stepAt(state.messages, phase, text)] : [] };
      });
    };
    const afterModel = (state: State) => {
      if (calls(state.messages.at(-1)).length === 0) return null;
      return toolRoundsThisTurn(state.messages) > ctx.maxToolRounds ? "step_limit" : "review";
    };
    return new StateGraph(ResearchState)
      .addNode(
        "plan",
        modelStep("plan", (reply) => {
          const planned = calls(reply);
          if (planned.length === 0) return "Plan: no lookups needed; answering directly";
          return `Plan: ${planned.length} ${planned.length === 1 ? "lookup" : "lookups, run in parallel"}: ${planned.map(describeCall).join(", ")}`;
        }),
        { retryPolicy },
      )
      .addNode("review", instrumentNode("review", reviewNode(ctx.tools)))
      .addNode("tools", instrumentNode("tools", toolsNode(ctx.tools)))
      .addNode(
        "check",
        instrumentNode("check", (state: State) => {
          const verdict = assess(state);
          const steps = [stepAt(state.messages, "check", checkLabel(verdict))];
          if (!verdict.retry) steps.push(stepAt(state.messages, "answer", "Answer from the results"));
          return { steps };
        }),
      )
      .addNode(
        "retry",
        modelStep("retry", (reply) => {
          const again = calls(reply);
          return again.length ? `Retry with changed input: ${again.map(describeCall).join(", ")}` : "Retry: no correction found";
        }),
        { retryPolicy },
      )
      .addNode(
        "model",
        modelStep("answer", () => null),
        { retryPolicy },
      )
      .addNode("step_limit", instrumentNode("step_limit", stepLimitNode(ctx.maxToolRounds)))
      .addEdge(START, "plan")
      .addConditionalEdges("plan", (state) => afterModel(state) ?? END, ["review", "step_limit", END])
      .addEdge("review", "tools")
      .addEdge("tools", "check")
      .addConditionalEdges("check", (state) => (assess(state).retry ? "retry" : "model"), ["retry", "model"])
      .addConditionalEdges("retry", (state) => afterModel(state) ?? "model", ["review", "step_limit", "model"])
      .addConditionalEdges("model", (state) => afterModel(state) ?? END, ["review", "step_limit", END])
      .addEdge("step_limit", END);
  },
};
