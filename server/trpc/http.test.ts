import { describe, expect, it } from "vitest";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { createDb, createPool } from "@/db/client";
import { testDatabaseForFile } from "@/scripts/testing/database";
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

  it("answers a signed-out request with 401", async () => {
    const { status, body } = await call(testContext(t, null), "thread.list", {});
    expect(status).toBe(401);
    expect(JSON.parse(body).error.json.message).toBe("Sign in to continue");
  });
});
