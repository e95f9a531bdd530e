import { describe, expect, it } from "vitest";
import { throughFrontDoor } from "@/scripts/testing/front-door";
import { settingsPerTest } from "@/scripts/testing/settings";
import { guardTrpcRequest } from "./request-guard";

const set = settingsPerTest();

const url = "http://app.example/api/trpc/chat.send";
const post = (headers: Record<string, string>, body: BodyInit = JSON.stringify({ json: { text: "hi" } })) =>
  new Request(url, { method: "POST", headers: { host: "app.example", "content-type": "application/json", ...headers }, body });

async function refusal(result: Request | Response) {
  expect(result).toBeInstanceOf(Response);
  const res = result as Response;
  return { status: res.status, body: (await res.json()) as { error: { json: { message: string; data: { code: string } } } } };
}

describe("the tRPC request guard", () => {
  it("lets same-site requests and non-browser clients through, with the body intact", async () => {
    const cases: Record<string, string>[] = [{ origin: "http://app.example" }, {}, { "sec-fetch-site": "same-origin", origin: "http://app.example" }];
    for (const headers of cases) {
      const result = await guardTrpcRequest(post(headers));
      expect(result).toBeInstanceOf(Request);
      expect(await (result as Request).json()).toEqual({ json: { text: "hi" } });
    }
  });

  it("refuses a cross-site mutation by its Origin or Sec-Fetch-Site, and a subscription too", async () => {
    const byOrigin = await refusal(await guardTrpcRequest(post({ origin: "https://evil.example" })));
    expect(byOrigin.status).toBe(403);
    expect(byOrigin.body.error.json.message).toBe("Cross-site requests are not allowed");
    expect((await refusal(await guardTrpcRequest(post({ origin: "null" })))).status).toBe(403);
    expect((await refusal(await guardTrpcRequest(post({ "sec-fetch-site": "cross-site" })))).status).toBe(403);
    const sse = new Request("http://app.example/api/trpc/chat.events?input=%7B%7D", { headers: { host: "app.example", origin: "https://evil.example" } });
    expect((await refusal(await guardTrpcRequest(sse))).status).toBe(403);
  });

  it("believes X-Forwarded-Host only from a trusted proxy hop", async () => {
    const pretending = { origin: "http://evil.example", "x-forwarded-host": "evil.example" };
    // Straight from the client (the front door drops it), and without the front door at all.
    expect((await refusal(await guardTrpcRequest(throughFrontDoor(post(pretending))))).status).toBe(403);
    expect((await refusal(await guardTrpcRequest(post(pretending)))).status).toBe(403);
    // From a trusted proxy, which names the public host while Host is the upstream's.
    const proxied = post({ origin: "https://chat.example", "x-forwarded-host": "chat.example", host: "10.0.0.5:3000" });
    expect(await guardTrpcRequest(throughFrontDoor(proxied, "10.0.0.2", { TRUSTED_PROXY_HOPS: "1" }))).toBeInstanceOf(Request);
  });

  it("with AUTH_URL set, takes only its host for this site", async () => {
    set({ AUTH_URL: "https://chat.example" });
    expect(await guardTrpcRequest(throughFrontDoor(post({ origin: "https://chat.example" })))).toBeInstanceOf(Request);
    // Neither the Host header nor a trusted proxy's X-Forwarded-Host makes another origin this site.
    expect((await refusal(await guardTrpcRequest(throughFrontDoor(post({ origin: "http://app.example" }))))).status).toBe(403);
    const proxied = post({ origin: "http://evil.example", "x-forwarded-host": "evil.example" });
    expect((await refusal(await guardTrpcRequest(throughFrontDoor(proxied, "10.0.0.2", { TRUSTED_PROXY_HOPS: "1" })))).status).toBe(403);
  });

  it("refuses form uploads and oversized bodies, declared or not", async () => {
    const form = new FormData();
    form.set("text", "hi");
    const multipart = await refusal(await guardTrpcRequest(new Request(url, { method: "POST", headers: { host: "app.example" }, body: form })));
    expect([multipart.status, multipart.body.error.json.data.code]).toEqual([415, "UNSUPPORTED_MEDIA_TYPE"]);

    const big = "x".repeat(1_100_000);
    const declared = await refusal(await guardTrpcRequest(post({}, big)));
    expect([declared.status, declared.body.error.json.message]).toEqual([413, "The request is too large (limit 1024 KB)"]);
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 11; i++) c.enqueue(new TextEncoder().encode("y".repeat(100_000)));
        c.close();
      },
    });
    const chunked = new Request(url, { method: "POST", headers: { host: "app.example" }, body: stream, duplex: "half" } as RequestInit);
    expect((await refusal(await guardTrpcRequest(chunked))).status).toBe(413);
  });
});
