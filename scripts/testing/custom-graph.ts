import { AIMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { Annotation, END, interrupt, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import type { GraphDefinition } from "../../server/agent/graphs";
import { answerMetadata } from "../../server/agent/nodes/model";
import { type ApprovalInterrupt, type Decision, openToolCalls, rejectionText } from "../../server/agent/nodes/review";

/**
 * A developer's own graph, as the README's extension point describes it: a channel of its own
 * (`drafts`, how many times it drafted), its own node names, and an approval interrupt with the
 * documented payload. It asks to "shout" the user's words, then has the model answer.
 */
const ShoutState = Annotation.Root({
  ...MessagesAnnotation.spec,
  drafts: Annotation<number>({ reducer: (a, b) => a + b, default: () => 0 }),
});

export const shoutGraph: GraphDefinition = {
  id: "shout",
  nodes: { answer: "draft", tools: "act" },
  build: (context) =>
    new StateGraph(ShoutState)
      .addNode("draft", async (state, config) => {
        const last = state.messages.at(-1);
        if (last && HumanMessage.isInstance(last)) {
          const call = { id: `shout-${crypto.randomUUID()}`, name: "shout", args: { text: String(last.content) } };
          return { drafts: 1, messages: [new AIMessage({ content: "", tool_calls: [call], response_metadata: answerMetadata(context.answeredBy) })] };
        }
        const reply = await context.model.invoke(state.messages, config);
        reply.response_metadata = { ...reply.response_metadata, ...answerMetadata(context.answeredBy) };
        return { drafts: 1, messages: [new AIMessage({ id: reply.id, content: reply.content, response_metadata: reply.response_metadata })] };
      })
      .addNode("gate", (state) => {
        const open = openToolCalls(state.messages);
        if (!open?.calls.length) return {};
        const decisions = interrupt<ApprovalInterrupt, Record<string, Decision>>({
          kind: "approval",
          requests: open.calls.map((c) => ({ toolCallId: c.id ?? "", name: c.name, args: c.args })),
        });
        const rejected = open.calls.filter((c) => decisions?.[c.id ?? ""]?.type !== "approve");
        return { messages: rejected.map((c) => new ToolMessage({ tool_call_id: c.id ?? "", name: c.name, content: rejectionText(), status: "error" })) };
      })
      .addNode("act", (state) => {
        const open = openToolCalls(state.messages);
        return {
          messages: (open?.calls ?? []).map((c) => new ToolMessage({ tool_call_id: c.id ?? "", name: c.name, content: String(c.args.text).toUpperCase() })),
        };
      })
      .addEdge(START, "draft")
      .addConditionalEdges("draft", (state) => ((state.messages.at(-1) as AIMessage).tool_calls?.length ? "gate" : END), ["gate", END])
      .addEdge("gate", "act")
      .addEdge("act", "draft"),
};

/** Registered under an id it does not use: no "act" node where the runtime writes cancelled tool results. */
export const graphWithoutToolsNode: GraphDefinition = {
  id: "no-tools-node",
  build: () =>
    new StateGraph(MessagesAnnotation)
      .addNode("model", () => ({ messages: [new AIMessage("hi")] }))
      .addEdge(START, "model")
      .addEdge("model", END),
};
