import { describe, expect, it } from "vitest";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { succeeded } from "@/scripts/testing/events";
import { metricValue } from "@/scripts/testing/metrics";
import { signedInCaller } from "@/scripts/testing/users";
import { metrics } from "@/server/observability/metrics";
import { feedbackOfThread } from "./store";

const t = testDatabaseForFile();

/** A user with one answered conversation: its answer's id and the question's. */
async function answered() {
  const { caller, user } = await signedInCaller(t);
  const threadId = await succeeded(caller, caller.chat.send({ text: "what is 2+2?" }));
  const [question, answer] = (await caller.thread.messages({ threadId })).messages;
  return { caller, user, threadId, questionId: question!.id, answerId: answer!.id };
}

const count = async (name: string, labels: Record<string, string>) => metricValue(await metrics().registry.metrics(), name, labels);
const test = { agent: "assistant", model: "test" };

describe("feedback", () => {
  it("is stored per answer, can be changed and taken back, and a bad one keeps its comment", async () => {
    const { caller, user, threadId, answerId } = await answered();
    expect(await caller.feedback.ofThread({ threadId })).toEqual([]);

    await caller.feedback.set({ threadId, messageId: answerId, rating: "good" });
    expect(await caller.feedback.ofThread({ threadId })).toEqual([{ messageId: answerId, rating: "good", comment: null }]);

    await caller.feedback.set({ threadId, messageId: answerId, rating: "bad", comment: "  It forgot the units. " });
    expect(await caller.feedback.ofThread({ threadId })).toEqual([{ messageId: answerId, rating: "bad", comment: "It forgot the units." }]);
    // The export's read: who wrote the answer, and when it was rated.
    expect(await feedbackOfThread(t.db, user.id, threadId)).toEqual([
      {
        messageId: answerId,
        rating: "bad",
        comment: "It forgot the units.",
        agent: "assistant",
        model: "test",
        createdAt: expect.any(Date),
        updatedAt: expect.any(Date),
      },
    ]);

    await caller.feedback.set({ threadId, messageId: answerId, rating: "good" });
    expect(await caller.feedback.ofThread({ threadId })).toEqual([{ messageId: answerId, rating: "good", comment: null }]);
    await caller.feedback.set({ threadId, messageId: answerId, rating: null });
    expect(await caller.feedback.ofThread({ threadId })).toEqual([]);
  });

  it("is counted by agent and model: each new rating given, each replaced or taken back withdrawn", async () => {
    const { caller, threadId, answerId } = await answered();
    const before = {
      good: await count("threadline_feedback_total", { ...test, rating: "good" }),
      bad: await count("threadline_feedback_total", { ...test, rating: "bad" }),
      goodOut: await count("threadline_feedback_withdrawn_total", { ...test, rating: "good" }),
      badOut: await count("threadline_feedback_withdrawn_total", { ...test, rating: "bad" }),
    };
    await caller.feedback.set({ threadId, messageId: answerId, rating: "good" });
    await caller.feedback.set({ threadId, messageId: answerId, rating: "bad" });
    await caller.feedback.set({ threadId, messageId: answerId, rating: "bad", comment: "only the comment changes" });
    await caller.feedback.set({ threadId, messageId: answerId, rating: null });
    expect({
      good: (await count("threadline_feedback_total", { ...test, rating: "good" })) - before.good,
      bad: (await count("threadline_feedback_total", { ...test, rating: "bad" })) - before.bad,
      goodOut: (await count("threadline_feedback_withdrawn_total", { ...test, rating: "good" })) - before.goodOut,
      badOut: (await count("threadline_feedback_withdrawn_total", { ...test, rating: "bad" })) - before.badOut,
    }).toEqual({ good: 1, bad: 1, goodOut: 1, badOut: 1 });
  });

  it("takes only the conversation's answers, and a comment only on a bad one", async () => {
    const { caller, threadId, questionId, answerId } = await answered();
    const refused = (input: Parameters<typeof caller.feedback.set>[0]) =>
      caller.feedback.set(input).then(
        () => null,
        (e: { code: string; message: string }) => [e.code, e.message],
      );
    expect(await refused({ threadId, messageId: questionId, rating: "good" })).toEqual(["NOT_FOUND", "Message not found"]);
    expect(await refused({ threadId, messageId: "msg_missing", rating: "good" })).toEqual(["NOT_FOUND", "Message not found"]);
    expect(await refused({ threadId, messageId: answerId, rating: "good", comment: "great" })).toEqual([
      "BAD_REQUEST",
      "comment: Only a bad answer takes a comment",
    ]);
    expect(await refused({ threadId, messageId: answerId, rating: "bad", comment: "x".repeat(2_001) })).toEqual([
      "BAD_REQUEST",
      "comment: The comment must be at most 2,000 characters",
    ]);
    expect(await refused({ threadId, messageId: answerId, rating: "meh" as "good" })).toEqual(["BAD_REQUEST", "rating: Rating must be good, bad or null"]);
    // Another conversation's answer is not this one's.
    const other = await succeeded(caller, caller.chat.send({ text: "and 3+3?" }));
    expect(await refused({ threadId: other, messageId: answerId, rating: "good" })).toEqual(["NOT_FOUND", "Message not found"]);
    expect(await caller.feedback.ofThread({ threadId })).toEqual([]);
  });

  it("goes with its conversation", async () => {
    const { caller, user, threadId, answerId } = await answered();
    await caller.feedback.set({ threadId, messageId: answerId, rating: "bad", comment: "wrong" });
    await caller.thread.delete({ threadId });
    expect(await feedbackOfThread(t.db, user.id, threadId)).toEqual([]);
  });
});
