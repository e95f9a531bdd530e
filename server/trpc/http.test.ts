import { describe, expect, it } from "vitest";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { createDb, createPool } from "@/db/client";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { subscribeEvents } from "@/scripts/testing/events";
import { sessionFor, signedInCaller, testContext } from "@/scripts/testing/users";
import type { Context } from "./init";
import { appRouter } from "./root";

const t = testDatabaseForFile();

/** What a browser gets back from the real fetch handler, given a context. */
async function call(ctx: Context, path: string, input: unknown, method: "GET" | "POST" = "GET") {
  const encoded = encodeURIComponent(JSON.stringify({ json: input }));
  const req =
    method === "GET"
      ? new Request(`http://localhost/api/trpc/${path}?input=${encoded}`)
      : new Request(`http://localhost/api/trpc/${path}`, { method, body: JSON.stringify({ json: input }), headers: { "content-type": "application/json" } });
  const res = await fetchRequestHandler({ endpoint: "/api/trpc", req, router: appRouter, createContext: () => ctx });
  return { status: res.status, body: await res.text() };
}

describe("tRPC over HTTP", () => {
  it("answers bad input with 400, a readable message and per-field errors, and no stack trace", async () => {
    const { user } = await signedInCaller(t);
    const ctx = testContext(t, sessionFor(user.id));
    const { status, body } = await call(ctx, "thread.rename", { threadId: "nope", title: "" }, "POST");
    expect(status).toBe(400);
    const error = JSON.parse(body).error.json;
    expect(error.message).toBe("threadId: Not a valid conversation id");
    expect(error.data.fieldErrors).toEqual({ threadId: "Not a valid conversation id" });
    expect(body).not.toContain("stack");
    expect(body).not.toMatch(/\.ts:\d+/);
    // The thread is checked first; on one's own thread, the title's own message.
    const own = await appRouter.createCaller(ctx).thread.create();
    const renamed = await call(ctx, "thread.rename", { threadId: own.id, title: " " }, "POST");
    expect(renamed.status).toBe(400);
    expect(JSON.parse(renamed.body).error.json.data.fieldErrors).toEqual({ title: "Title cannot be empty" });
  });

  it("hides the cause of a server failure from the user", async () => {
    const { user } = await signedInCaller(t);
    const broken = createPool(t.url);
    await broken.end(); // every query on it now throws
    const { status, body } = await call({ ...testContext(t, sessionFor(user.id)), db: createDb(broken) }, "thread.list", {});
    expect(status).toBe(500);
    expect(JSON.parse(body).error.json.message).toBe("Something went wrong on our side. Please try again.");
    expect(body).not.toMatch(/pool|stack|\.ts:\d+/i);
  });

  it('answers a request that cannot be read with a plain "Malformed request", not the parser\'s words', async () => {
    const { user } = await signedInCaller(t);
    const ctx = testContext(t, sessionFor(user.id));
    const deep = (open: string, inner: string, close: string) => open.repeat(20_000) + inner + close.repeat(20_000);
    const bodies = {
      "not JSON": "not json {",
      "an unknown class": JSON.stringify({ json: { text: {} }, meta: { values: { text: [["class", "Secret"]] } } }),
      "a custom type": JSON.stringify({ json: { text: "x" }, meta: { values: { text: [["custom", "Nope"]] } } }),
      "deep annotations": `{"json":{"text":"x"},"meta":{"values":${deep('{"a":', '["Date"]', "}")}}}`,
      "deep nested annotations": `{"json":{"text":"x"},"meta":{"values":${deep('["Date",', '"x"', "]")}}}`,
    };
    const requests = Object.entries(bodies).flatMap(([what, body]) => [
      [what, new Request("http://localhost/api/trpc/chat.send", { method: "POST", body, headers: { "content-type": "application/json" } })] as const,
      [what, new Request(`http://localhost/api/trpc/thread.list?input=${encodeURIComponent(body)}`)] as const,
    ]);
    requests.push(
      ["connection params that are not JSON", new Request("http://localhost/api/trpc/thread.list?connectionParams=not-json")],
      ["connection params that are not strings", new Request(`http://localhost/api/trpc/thread.list?connectionParams=${encodeURIComponent('{"a":1}')}`)],
    );
    for (const [what, req] of requests) {
      const res = await fetchRequestHandler({ endpoint: "/api/trpc", req, router: appRouter, createContext: () => ctx });
      const error = JSON.parse(await res.text()).error.json;
      expect({ what, method: req.method, status: res.status, message: error.message }).toEqual({
        what,
        method: req.method,
        status: 400,
        message: "Malformed request",
      });
    }
  });

  it("keeps the words of a refusal the app wrote, a domain error's as well as an input's", async () => {
    const { user, caller } = await signedInCaller(t);
    const sent = await caller.chat.send({ text: "remember that the milk is low" });
    await subscribeEvents(caller, sent.runId);
    const [pending] = (await caller.thread.messages({ threadId: sent.threadId })).approvals;
    const decision = { type: "edit", args: { text: " " } };
    const { status, body } = await call(
      testContext(t, sessionFor(user.id)),
      "chat.decide",
      { threadId: sent.threadId, toolCallId: pending!.toolCallId, decision },
      "POST",
    );
    expect([status, JSON.parse(body).error.json.message]).toEqual([400, "The memory cannot be empty"]);
  });

  it("answers a signed-out request with 401", async () => {
    const { status, body } = await call(testContext(t, null), "thread.list", {});
    expect(status).toBe(401);
    expect(JSON.parse(body).error.json.message).toBe("Sign in to continue");
  });
});
