import { tool, type StructuredToolInterface } from "@langchain/core/tools";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { RunEvent } from "@/lib/run-events";
import { applyToTurn, emptySnapshot } from "@/lib/turn";
import { testResearchAgent } from "@/scripts/testing/agent";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { subscribeEvents } from "@/scripts/testing/events";
import { scriptedModel } from "@/scripts/testing/fake-model";
import { signedInCaller } from "@/scripts/testing/users";
import { basicTools } from "../tools";
import { MAX_RETRIES } from "./research";

const t = testDatabaseForFile();

type Caller = Awaited<ReturnType<typeof signedInCaller>>["caller"];

async function ask(caller: Caller, text: string, threadId?: string) {
  const sent = await caller.chat.send({ threadId, text });
  const events = (await subscribeEvents(caller, sent.runId)).map((e) => e.event);
  return { ...sent, events };
}

type Of<K extends RunEvent["type"]> = Extract<RunEvent, { type: K }>;
const ofType = <K extends RunEvent["type"]>(events: RunEvent[], type: K) => events.filter((e): e is Of<K> => e.type === type);
const kinds = (events: RunEvent[]) => ofType(events, "step").map((s) => s.kind);
const answerOf = (events: RunEvent[]) =>
  ofType(events, "text-delta")
    .map((e) => e.delta)
    .join("");

/** The turn as the page builds it from the run's events. */
const liveParts = (events: RunEvent[]) => events.reduce(applyToTurn, emptySnapshot).parts;

/**
 * The built-in tools, each held at a gate until the test opens it, counting how many run at once:
 * two calls can only both be in flight if they really run concurrently.
 */
function gated(tools: StructuredToolInterface[]) {
  const probe = { inFlight: 0, most: 0, open: () => {} };
  const gate = new Promise<void>((resolve) => (probe.open = resolve));
  const wrapped = tools.map((t) =>
    tool(
      async (args: Record<string, unknown>) => {
        probe.inFlight++;
        probe.most = Math.max(probe.most, probe.inFlight);
        await gate;
        probe.inFlight--;
        return t.invoke(args);
      },
      { name: t.name, description: t.description, schema: t.schema as z.ZodObject<z.ZodRawShape> },
    ),
  );
  return { probe, tools: wrapped };
}

describe("the Research agent, offline, through the run executor", () => {
  it("plans two lookups, checks them, retries the failed calculation with corrected input, and answers; the history shows the steps where they were", async () => {
    const { caller } = await signedInCaller(t, testResearchAgent(t.pool));
    const { threadId, events } = await ask(caller, "What is (10-4)/(1+2 and what time is it in Europe/Paris?");
    expect(events.at(-1)).toEqual({ type: "run-end", status: "succeeded", error: null });
    expect(kinds(events)).toEqual(["plan", "check", "retry", "check", "answer"]);
    const steps = ofType(events, "step").map((s) => s.label);
    expect(steps[0]).toBe("Plan: 2 lookups, run in parallel: calculator(expression: (10-4)/(1+2), current_time(timezone: Europe/Paris)");
    expect(steps[1]).toMatch(/^Check: 1 of 2 lookups succeeded; failed: calculator \(Expected "\)" at the end\)$/);
    expect(steps[2]).toBe("Retry with changed input: calculator(expression: (10-4)/(1+2))");
    expect(steps[3]).toBe("Check: 1 of 1 lookup succeeded");

    const calls = ofType(events, "tool-call").map((c) => [c.name, c.args]);
    expect(calls).toEqual([
      ["calculator", { expression: "(10-4)/(1+2" }],
      ["current_time", { timezone: "Europe/Paris" }],
      ["calculator", { expression: "(10-4)/(1+2)" }],
    ]);
    expect(ofType(events, "tool-result").map((r) => r.isError)).toEqual([true, false, false]);
    // Each step is reported where it happened: the plan before its calls, the checks after their results.
    const order = events.flatMap((e) => (e.type === "step" ? [e.kind] : e.type === "tool-call" ? ["call"] : e.type === "tool-result" ? ["result"] : []));
    expect(order).toEqual(["plan", "call", "call", "result", "result", "check", "retry", "call", "result", "check", "answer"]);

    const answer = answerOf(events);
    expect(answer).toContain('(10-4)/(1+2) = **2** (my first try, `(10-4)/(1+2`, failed: Expected ")" at the end; I corrected it.)');
    expect(answer).toMatch(/It is \*\*.+\(Europe\/Paris\)\*\*\./);

    // After the run, the history holds the same turn, steps in the same places.
    const { messages } = await caller.thread.messages({ threadId });
    expect(messages).toHaveLength(2);
    expect(messages[1]!.role === "assistant" && messages[1]!.parts).toEqual(liveParts(events));
  });

  it("runs a round's calls concurrently, and a page that joins mid-run gets the plan step with its calls", async () => {
    const { probe, tools } = gated(basicTools);
    const { caller } = await signedInCaller(t, testResearchAgent(t.pool, undefined, tools));
    const { runId, threadId } = await caller.chat.send({ text: "What is 6*7, and what time is it in Asia/Tokyo?" });
    // Both calls are held at the gate at once: run one after the other, the second would never start.
    await expect.poll(() => probe.inFlight).toBe(2);

    // A reload now: the page joins from a snapshot of what was written so far.
    const joined = await caller.chat.events({ runId, lastEventId: null });
    const first = (await joined[Symbol.asyncIterator]().next()).value as unknown as [string, RunEvent];
    expect(first[1].type).toBe("snapshot");
    const snapshot = (first[1] as Of<"snapshot">).turn;
    expect(snapshot.parts).toEqual([
      { type: "step", kind: "plan", label: "Plan: 2 lookups, run in parallel: calculator(expression: 6*7), current_time(timezone: Asia/Tokyo)" },
      { type: "tool", id: expect.any(String), name: "calculator", args: { expression: "6*7" }, result: null },
      { type: "tool", id: expect.any(String), name: "current_time", args: { timezone: "Asia/Tokyo" }, result: null },
    ]);
    // ...and the history, read mid-run, shows the same step before the same calls.
    const midRun = await caller.thread.messages({ threadId });
    expect(midRun.messages[1]!.role === "assistant" && midRun.messages[1]!.parts).toEqual(snapshot.parts);

    probe.open();
    const events = (await subscribeEvents(caller, runId)).map((e) => e.event);
    expect(events.at(-1)).toMatchObject({ status: "succeeded" });
    expect(probe.most).toBe(2);
    expect(kinds(events)).toEqual(["plan", "check", "answer"]);
    expect(answerOf(events)).toContain("6*7 = **42**");
  });

  it("treats an empty result as failed, retries it with changed input, and stops retrying after MAX_RETRIES rounds", async () => {
    const seen: string[] = [];
    const search = tool(
      ({ query }) => {
        seen.push(query);
        return query === "threadline release date" ? "" : query === "threadline 1.0 release" ? "Released in May." : "Error: the index is unavailable";
      },
      { name: "search", description: "Searches the docs.", schema: z.object({ query: z.string() }) },
    );
    const { model, stats } = scriptedModel([
      { toolCalls: [{ name: "search", args: { query: "threadline release date" } }] },
      { toolCalls: [{ name: "search", args: { query: "threadline 1.0 release" } }] },
      { text: "It was released in May." },
    ]);
    const { caller } = await signedInCaller(t, testResearchAgent(t.pool, model, [search]));
    const { events } = await ask(caller, "When was Threadline released?");
    expect(seen).toEqual(["threadline release date", "threadline 1.0 release"]);
    expect(ofType(events, "step").map((s) => s.label)).toEqual([
      "Plan: 1 lookup: search(query: threadline release date)",
      "Check: 0 of 1 lookup succeeded; failed: search (empty result)",
      "Retry with changed input: search(query: threadline 1.0 release)",
      "Check: 1 of 1 lookup succeeded",
      "Answer from the results",
    ]);
    expect(answerOf(events)).toBe("It was released in May.");
    expect(stats.calls).toBe(3);

    // A lookup that keeps failing is retried MAX_RETRIES times, then answered with what there is.
    const failing = scriptedModel([
      { toolCalls: [{ name: "search", args: { query: "a" } }] },
      ...Array.from({ length: MAX_RETRIES }, (_, i) => ({ toolCalls: [{ name: "search", args: { query: `b${i}` } }] })),
      { text: "The search is down." },
    ]);
    const other = await signedInCaller(t, testResearchAgent(t.pool, failing.model, [search]));
    const run = await ask(other.caller, "When?");
    expect(kinds(run.events)).toEqual(["plan", "check", ...Array.from({ length: MAX_RETRIES }, () => ["retry", "check"]).flat(), "answer"]);
    expect(ofType(run.events, "step").at(-2)!.label).toMatch(/no retries left$/);
    expect(run.events.at(-1)).toMatchObject({ status: "succeeded" });
    expect(failing.stats.calls).toBe(MAX_RETRIES + 2);
  });

  it("pauses for approval before a side-effecting call, and on approval runs it exactly once without planning again", async () => {
    let sent = 0;
    const sendNote = tool(
      ({ to }) => {
        sent++;
        return `Sent to ${to}.`;
      },
      { name: "send_note", description: "Sends a note.", schema: z.object({ to: z.string() }), metadata: { requiresApproval: true } },
    );
    const { model, stats } = scriptedModel([
      {
        toolCalls: [
          { name: "calculator", args: { expression: "2+2" } },
          { name: "send_note", args: { to: "sam" } },
        ],
      },
      { text: "Sent, and 2+2 is 4." },
    ]);
    const { caller } = await signedInCaller(t, testResearchAgent(t.pool, model, [...basicTools, sendNote]));
    const first = await ask(caller, "Work out 2+2 and send sam a note");
    expect(first.events.at(-1)).toMatchObject({ status: "paused" });
    expect(kinds(first.events)).toEqual(["plan"]);
    const paused = await caller.thread.messages({ threadId: first.threadId });
    expect(paused.approvals).toMatchObject([{ name: "send_note", args: { to: "sam" }, status: "pending" }]);
    expect(sent).toBe(0);

    const decided = await caller.chat.decide({ threadId: first.threadId, toolCallId: paused.approvals[0]!.toolCallId, decision: { type: "approve" } });
    const after = (await subscribeEvents(caller, decided.runId!)).map((e) => e.event);
    expect(after.at(-1)).toMatchObject({ status: "succeeded" });
    expect(sent).toBe(1);
    // The plan was not made again on resume: the model was asked twice in all (plan, answer).
    expect(stats.calls).toBe(2);
    expect(kinds(after)).toEqual(["check", "answer"]);
    expect(ofType(after, "step")[0]!.label).toBe("Check: 2 of 2 lookups succeeded");
    const done = await caller.thread.messages({ threadId: first.threadId });
    expect(done.messages[1]).toMatchObject({
      role: "assistant",
      parts: [
        { type: "step", kind: "plan" },
        { type: "tool", name: "calculator", result: { content: "4" } },
        { type: "tool", name: "send_note", approval: { status: "approved" }, result: { content: "Sent to sam." } },
        { type: "step", kind: "check" },
        { type: "step", kind: "answer" },
        { type: "text", text: "Sent, and 2+2 is 4." },
      ],
    });
  });

  it("keeps the chat agent's offline rules for what is not a lookup: a plain hello gets the introduction", async () => {
    const { caller } = await signedInCaller(t, testResearchAgent(t.pool));
    const { events } = await ask(caller, "hello");
    expect(ofType(events, "step").map((s) => s.label)).toEqual(["Plan: no lookups needed; answering directly"]);
    expect(answerOf(events)).toMatch(/^I'm Threadline's \*\*offline demo model\*\*/);
  });
});
