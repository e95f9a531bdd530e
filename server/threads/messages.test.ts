import { AIMessage, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { searchableTexts, toUiMessages } from "./messages";

const conversation = [
  new HumanMessage({ id: "q1", content: "what is 2+2?" }),
  new AIMessage({ id: "a1", content: "", tool_calls: [{ id: "c1", name: "calculator", args: { expression: "2+2" } }] }),
  new ToolMessage({ id: "t1", tool_call_id: "c1", content: "4" }),
  new AIMessage({ id: "a2", content: [{ type: "text", text: "2+2 = 4" }] }),
  new HumanMessage({ id: "q2", content: "and a note?" }),
  new AIMessage({ id: "a3", content: "Here it is." }),
];

describe("searchableTexts", () => {
  it("names each text by the message the page shows it in, as toUiMessages groups them, from any point of the list", () => {
    const ui = toUiMessages(conversation);
    expect(ui.map((m) => m.id)).toEqual(["q1", "a1", "q2", "a3"]);
    expect(searchableTexts(conversation)).toEqual([
      { id: "q1", uiId: "q1", role: "user", text: "what is 2+2?" },
      { id: "a2", uiId: "a1", role: "assistant", text: "2+2 = 4" },
      { id: "q2", uiId: "q2", role: "user", text: "and a note?" },
      { id: "a3", uiId: "a3", role: "assistant", text: "Here it is." },
    ]);
    // The saver indexes only the messages new to a checkpoint: those from the middle of a turn on.
    for (let from = 0; from <= conversation.length; from++) {
      const ids = new Set(conversation.slice(from).map((m) => m.id));
      expect(searchableTexts(conversation, from)).toEqual(searchableTexts(conversation).filter((s) => ids.has(s.id)));
    }
  });
});

describe("toUiMessages with a graph's steps", () => {
  const step = (kind: string, at: number) => ({ kind, label: `${kind} at ${at}`, at });
  const shape = (steps: ReturnType<typeof step>[]) =>
    toUiMessages(conversation, steps).map((m) =>
      m.role === "user" ? m.id : m.parts.map((p) => (p.type === "step" ? p.label : p.type === "tool" ? p.name : p.text)),
    );

  it("puts each step before the message it was taken before, a plan in the turn its first message opens", () => {
    expect(shape([step("plan", 1), step("check", 3), step("answer", 3), step("plan", 5)])).toEqual([
      "q1",
      ["plan at 1", "calculator", "check at 3", "answer at 3", "2+2 = 4"],
      "q2",
      ["plan at 5", "Here it is."],
    ]);
  });

  it("keeps a step taken after a turn's last message in that turn, and one after the last message at the end", () => {
    expect(shape([step("check", 4), step("check", 6)])).toEqual(["q1", ["calculator", "2+2 = 4", "check at 4"], "q2", ["Here it is.", "check at 6"]]);
  });
});
