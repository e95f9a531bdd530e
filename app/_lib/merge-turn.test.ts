import { describe, expect, it } from "vitest";
import type { MessagePart, UiMessage } from "@/lib/messages";
import { eventId, type RunEvent, type SequencedEvent, seqAfter } from "@/lib/run-events";
import { withSnapshot } from "@/lib/turn";
import { applyEvent, emptyTurn, type LiveTurn, type PendingMessage } from "./live-turn";
import { mergeTurn } from "./merge-turn";

const RUN = "7d6c1d2e-0000-4000-8000-000000000001";

const user = (id: string, text: string): Extract<UiMessage, { role: "user" }> => ({ id, role: "user", text });
const answer = (id: string, parts: MessagePart[]): UiMessage => ({ id, role: "assistant", parts, stopped: false, usage: { input: 12, output: 7 } });
const said = (text: string): MessagePart => ({ type: "text", text });

const q0 = user("q0", "what is 2+2?");
const a0 = answer("a0", [said("2+2 = 4")]);
const q1 = user("q1", "what is 3*3?");
const a1 = answer("a1", [said("3*3 = 9")]);

// A new message, named by the client, and the run's log of its answer as `chat.events` numbers it.
const asked = { id: "m1", text: "what is 12*7?" };
const calculator: MessagePart = { type: "tool", id: "t1", name: "calculator", args: { expression: "12*7" }, result: { content: "84", isError: false } };
const deltas = ["12*7 ", "is ", "84."];
const log: SequencedEvent[] = (
  [
    { type: "run-start", userMessage: asked },
    { type: "message-start", messageId: "r1" },
    { type: "tool-call", messageId: "r1", toolCallId: "t1", name: "calculator", args: { expression: "12*7" } },
    { type: "tool-result", toolCallId: "t1", name: "calculator", content: "84", isError: false },
    { type: "message-end", messageId: "r1", usage: null },
    { type: "message-start", messageId: "r2" },
    ...deltas.map((delta): RunEvent => ({ type: "text-delta", messageId: "r2", delta })),
    { type: "message-end", messageId: "r2", usage: null },
    { type: "run-end", status: "succeeded", error: null },
  ] satisfies RunEvent[]
).map((event, i) => ({ seq: i + 1, event }));
const until = (type: RunEvent["type"], nth = 1) => log.filter((e) => e.event.type === type)[nth - 1]!.seq;

// What the checkpoint holds of that answer: mid-answer after its tool step, and once it is done.
const askedInHistory = user(asked.id, asked.text);
const partial = answer("r1", [calculator]);
const answered = [calculator, said(deltas.join(""))];
const finished = answer("r1", answered);

const follow = (events: SequencedEvent[], from: LiveTurn = emptyTurn(RUN)) => events.map((e) => e.event).reduce(applyEvent, from);
const shown = ({ earlier, turn }: ReturnType<typeof mergeTurn>) => [...earlier, ...turn];
const ids = (merged: ReturnType<typeof mergeTurn>) => shown(merged).map((m) => m.id);
// For the turn before the server has named its messages: who says what.
const roles = (messages: UiMessage[]) => messages.map((m) => (m.role === "user" ? `user: ${m.text}` : "assistant"));
const sent: PendingMessage = { id: asked.id, text: asked.text };

describe("mergeTurn: optimistic message", () => {
  it("shows a just-sent message at once, under its own id, before the server confirms it", () => {
    const waiting = mergeTurn([q0, a0], null, sent);
    expect(waiting.earlier).toEqual([q0, a0]);
    expect(waiting.turn).toEqual([askedInHistory]);

    // Accepted: the answer's place opens under it, still empty.
    const accepted = mergeTurn([q0, a0], emptyTurn(RUN), sent);
    expect(accepted.earlier).toEqual([q0, a0]);
    expect(accepted.turn[0]).toEqual(askedInHistory);
    expect(accepted.turn[1]).toMatchObject({ role: "assistant", parts: [], stopped: false });
  });

  it("shows it once when the history refetch brings it back before the run's events do", () => {
    const refetched = [q0, a0, askedInHistory];
    expect(ids(mergeTurn(refetched, null, sent))).toEqual(["q0", "a0", asked.id]);
    const accepted = mergeTurn(refetched, emptyTurn(RUN), sent);
    expect(accepted.earlier).toEqual([q0, a0]);
    expect(roles(accepted.turn)).toEqual([`user: ${asked.text}`, "assistant"]);
  });

  it("shows it once when the run's events bring it back first, keeping all of the history before it", () => {
    const live = follow(log.slice(0, until("tool-result")));
    const merged = mergeTurn([q0, a0], live, sent);
    expect(merged.earlier).toEqual([q0, a0]);
    expect(merged.turn.map((m) => m.id)).toEqual([asked.id, "r1"]);

    // The history catches up with the turn so far: its copy gives way to the live one.
    const caughtUp = mergeTurn([q0, a0, askedInHistory, partial], live, sent);
    expect(ids(caughtUp)).toEqual(["q0", "a0", asked.id, "r1"]);
    expect(caughtUp.turn[1]).toMatchObject({ parts: [calculator] });
  });
});

describe("mergeTurn: joining mid-answer", () => {
  it("takes the one snapshot a joining client gets in place of the history's copy, then follows the rest", () => {
    const sofar = until("text-delta", 2);
    const [snapshot, ...more] = withSnapshot(log.slice(0, sofar));
    expect(more).toEqual([]);
    // What the page was rendered with: the checkpoint's copy of the turn, and no events yet.
    const prefetched = [q0, a0, askedInHistory, partial];
    expect(shown(mergeTurn(prefetched, null, null))).toEqual(prefetched);

    const joined = follow([snapshot!]);
    const merged = mergeTurn(prefetched, joined, null);
    expect(ids(merged)).toEqual(["q0", "a0", asked.id, "r1"]);
    expect(merged.turn[1]).toMatchObject({ parts: [calculator, said(deltas.slice(0, 2).join(""))] });

    const done = mergeTurn(prefetched, follow(log.slice(sofar), joined), null);
    expect(ids(done)).toEqual(["q0", "a0", asked.id, "r1"]);
    expect(done.turn[1]).toMatchObject({ parts: answered });
  });
});

describe("mergeTurn: reconnect", () => {
  it("after a blip, with the events resumed after the last id seen and the history refetched, shows nothing twice", () => {
    const seen = log.slice(0, until("text-delta", 1));
    const lastEventId = eventId(RUN, seen.at(-1)!.seq);
    const resumed = log.filter((e) => e.seq > seqAfter(lastEventId, RUN));
    // The activity stream reconnects too, and refetches the history mid-answer.
    const refetched = [q0, a0, askedInHistory, partial];

    const merged = mergeTurn(refetched, follow(resumed, follow(seen)), sent);
    expect(ids(merged)).toEqual(["q0", "a0", asked.id, "r1"]);
    expect(merged).toEqual(mergeTurn([q0, a0], follow(log), sent));
  });
});

describe("mergeTurn: the end of an answer", () => {
  it("gives the live turn the ids and content of the history that replaces it, so nothing flickers or closes", () => {
    const done = [q0, a0, askedInHistory, finished];
    const merged = mergeTurn(done, follow(log), sent);
    expect(ids(merged)).toEqual(done.map((m) => m.id));
    expect(shown(merged).map((m) => (m.role === "user" ? m.text : m.parts))).toEqual(done.map((m) => (m.role === "user" ? m.text : m.parts)));
  });

  it("marks a stopped answer as stopped, and only that one", () => {
    const sofar = log.slice(0, until("text-delta", 1));
    const stopped = follow([{ seq: 99, event: { type: "run-end", status: "cancelled", error: null } }], follow(sofar));
    expect(mergeTurn([q0, a0], stopped, sent).turn[1]).toMatchObject({ stopped: true });
    const failed = follow([{ seq: 99, event: { type: "run-end", status: "failed", error: "The model is unreachable." } }], follow(sofar));
    expect(mergeTurn([q0, a0], failed, sent).turn[1]).toMatchObject({ stopped: false });
  });

  it("keeps all of the history for a turn with no user message (Continue, or resuming after a decision)", () => {
    const resumed = follow([
      { seq: 1, event: { type: "run-start", userMessage: null } },
      { seq: 2, event: { type: "message-start", messageId: "c1" } },
      { seq: 3, event: { type: "text-delta", messageId: "c1", delta: "Picking up where it stopped." } },
    ]);
    const merged = mergeTurn([q0, a0, q1, a1], resumed, null);
    expect(merged.earlier).toEqual([q0, a0, q1, a1]);
    expect(merged.turn).toMatchObject([{ id: "c1", role: "assistant", parts: [said("Picking up where it stopped.")] }]);
  });
});

describe("mergeTurn: branch switch", () => {
  const edited = { id: "e1", text: "what is 5+5?" };
  const forkStart = (userMessage: { id: string; text: string }, forkAfter: string | null): SequencedEvent[] => [
    { seq: 1, event: { type: "run-start", userMessage, forkAfter } },
    { seq: 2, event: { type: "message-start", messageId: "n1" } },
    { seq: 3, event: { type: "text-delta", messageId: "n1", delta: "5+5 = 10" } },
  ];

  it("an edit: the live turn replaces everything after the message it forks from, before and after its run reports", () => {
    const history = [q0, a0, q1, a1];
    // As Edit asks for it: the new text, and the message before the one edited.
    const editing: PendingMessage = { text: edited.text, forkAfter: "a0" };
    for (const accepted of [null, emptyTurn(RUN)]) {
      const merged = mergeTurn(history, accepted, editing);
      expect(merged.earlier).toEqual([q0, a0]);
      expect(roles(merged.turn)).toEqual(accepted ? [`user: ${edited.text}`, "assistant"] : [`user: ${edited.text}`]);
    }

    const live = follow(forkStart(edited, "a0"));
    expect(ids(mergeTurn(history, live, editing))).toEqual(["q0", "a0", "e1", "n1"]);
    // Refetched on the new branch while it is written: the same.
    expect(ids(mergeTurn([q0, a0, user("e1", edited.text)], live, editing))).toEqual(["q0", "a0", "e1", "n1"]);
  });

  it("an edit followed from another tab: the fork point its snapshot carries cuts the old branch there", () => {
    const [snapshot] = withSnapshot(forkStart(edited, "a0"));
    const merged = mergeTurn([q0, a0, q1, a1], follow([snapshot!]), null);
    expect(merged.earlier).toEqual([q0, a0]);
    expect(ids(merged)).toEqual(["q0", "a0", "e1", "n1"]);
  });

  it("an edit of the first message keeps nothing before it", () => {
    const live = follow(forkStart(edited, null));
    const merged = mergeTurn([q0, a0], live, { text: edited.text, forkAfter: null });
    expect(merged.earlier).toEqual([]);
    expect(ids(merged)).toEqual(["e1", "n1"]);
  });

  it("a regenerate: the question keeps its id and shows once, the old answer gives way to the new one", () => {
    const history = [q0, a0, q1, a1];
    // As Regenerate asks for it: the question's text, and the message before the question.
    const regenerating: PendingMessage = { text: q1.text, forkAfter: "a0" };
    const live = follow(forkStart({ id: q1.id, text: q1.text }, "a0"));
    const merged = mergeTurn(history, live, regenerating);
    expect(merged.earlier).toEqual([q0, a0]);
    expect(ids(merged)).toEqual(["q0", "a0", "q1", "n1"]);
  });
});
