import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { MessagePart } from "@/lib/messages";
import { AssistantMessage } from "./message-list";

const parts: MessagePart[] = [
  { type: "step", kind: "plan", label: "Plan: 2 lookups, run in parallel" },
  { type: "tool", id: "c1", name: "calculator", args: { expression: "1+1" }, result: { content: "2", isError: false } },
  { type: "step", kind: "check", label: "Check: 1 of 1 lookup succeeded" },
  { type: "step", kind: "answer", label: "Answer from the results" },
  { type: "text", text: "1+1 = **2**" },
];

describe("an answer's steps", () => {
  it("shows each run of consecutive steps as one list, in place among the tool calls and the text", () => {
    const html = renderToStaticMarkup(<AssistantMessage id="a1" parts={parts} stopped={false} />);
    const lists = [...html.matchAll(/<ol aria-label="Steps"[^>]*>(.*?)<\/ol>/g)].map((m) => [...m[1]!.matchAll(/<span>([^<]*)<\/span>/g)].map((s) => s[1]));
    expect(lists).toEqual([["Plan: 2 lookups, run in parallel"], ["Check: 1 of 1 lookup succeeded", "Answer from the results"]]);
    const at = (s: string) => html.indexOf(s);
    expect(at("Plan: 2")).toBeLessThan(at("calculator"));
    expect(at("calculator")).toBeLessThan(at("Check: 1"));
    expect(at("Answer from")).toBeLessThan(at("<strong>2</strong>"));
  });
});
