/**
 * The front door on a real `next start`: what a client writes in X-Forwarded-* headers counts only
 * within the trusted proxy hops, for the sign-in limit, the origin checks and HSTS.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { type Server, startServeScript, startServer } from "@/scripts/testing/servers";
import { ADDRESS_HEADER, PROOF_HEADER } from "./front-door.mjs";

const t = testDatabaseForFile();
// Low, so a handful of attempts reaches it; the per-email limit is never reached (one email each).
const LIMITED = { SIGNIN_FAILURES_PER_IP: "5" };
let direct: Server; // `npm start` with no proxy in front: TRUSTED_PROXY_HOPS unset
let proxied: Server; // the tests' `next start`, as behind one proxy, with the public URL pinned
beforeAll(async () => {
  [direct, proxied] = await Promise.all([
    startServeScript(t.url, LIMITED),
    startServer(t.url, { ...LIMITED, TRUSTED_PROXY_HOPS: "1", AUTH_URL: "http://chat.example" }),
  ]);
}, 120_000);
afterAll(async () => {
  await Promise.all([direct?.stop(), proxied?.stop()]);
});

const randomAddress = () => `198.51.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}`;

/** One sign-in through Auth.js's endpoint with a wrong password: the error code it redirects with. */
async function signInAttempt(server: Server, headers: Record<string, string>): Promise<string> {
  const csrf = await fetch(`${server.url}/api/auth/csrf`, { headers });
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const cookie = csrf.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const res = await fetch(`${server.url}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { ...headers, cookie, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ csrfToken, email: `${crypto.randomUUID()}@example.com`, password: "not-the-password" }),
  });
  return new URL(res.headers.get("location")!, server.url).searchParams.get("code")!;
}

const attempts = async (n: number, server: Server, headers: () => Record<string, string>) => {
  const codes: string[] = [];
  for (let i = 0; i < n; i++) codes.push(await signInAttempt(server, headers()));
  return codes.map((code) => (code.startsWith("rate_limited:") ? "limited" : code));
};

describe("the front door", () => {
  it("counts sign-in attempts against the connection's address, whatever X-Forwarded-For says", async () => {
    const codes = await attempts(20, direct, () => ({ "x-forwarded-for": randomAddress() }));
    expect(codes).toEqual([...Array(5).fill("credentials"), ...Array(15).fill("limited")]);
  });

  it("behind a trusted proxy, counts them against the address the proxy appended", async () => {
    // The client wrote the first entry; the proxy appended the address it saw.
    const fromClient = (address: string) => () => ({ "x-forwarded-for": `${randomAddress()}, ${address}` });
    expect(await attempts(6, proxied, fromClient("203.0.113.7"))).toEqual([...Array(5).fill("credentials"), "limited"]);
    expect(await attempts(1, proxied, fromClient("203.0.113.8"))).toEqual(["credentials"]);
  });

  it("refuses an API request from another site that names itself in X-Forwarded-Host", async () => {
    const send = (server: Server, headers: Record<string, string>) =>
      fetch(`${server.url}/api/trpc/chat.send`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: '{"json":{"text":"hi"}}',
      });
    const pretending = { origin: "http://evil.example", "x-forwarded-host": "evil.example" };
    expect((await send(direct, pretending)).status).toBe(403);
    // Behind the proxy, AUTH_URL decides, even over the proxy's X-Forwarded-Host.
    expect((await send(proxied, pretending)).status).toBe(403);
    // The site's own origin passes the guard and reaches the procedure, which wants a session.
    expect((await send(direct, { origin: direct.url })).status).toBe(401);
    expect((await send(proxied, { origin: "http://chat.example" })).status).toBe(401);
  });

  it("keeps a client's X-Forwarded-Host from Next's own origin check of server actions", async () => {
    // Next compares a server action's Origin with X-Forwarded-Host first: a client's own would let another site in.
    const res = await fetch(`${direct.url}/sign-in`, {
      method: "POST",
      headers: { origin: "http://evil.example", "x-forwarded-host": "evil.example", "next-action": "7f".repeat(21) },
      body: "[]",
    });
    await res.body?.cancel();
    await expect
      .poll(() => direct.output(), { timeout: 5000 })
      .toMatch(/`x-forwarded-host` header with value `127\.0\.0\.1:\d+` does not match `origin` header with value `evil\.example`/);
  });

  it("sends Strict-Transport-Security only when a trusted proxy says the request came over HTTPS", async () => {
    const hsts = async (server: Server, path: string, headers: Record<string, string> = {}) =>
      (await fetch(`${server.url}${path}`, { headers, redirect: "manual" })).headers.get("strict-transport-security");
    const https = { "x-forwarded-proto": "https" };
    for (const path of ["/api/health", "/sign-in"]) {
      expect(await hsts(proxied, path, https)).toBe("max-age=15552000");
      expect(await hsts(proxied, path)).toBeNull();
      expect(await hsts(direct, path, https)).toBeNull();
      expect(await hsts(direct, path)).toBeNull();
    }
  });

  it("keeps a client's X-Forwarded-Proto from Next and Auth.js when no proxy is trusted", async () => {
    const providers = await fetch(`${direct.url}/api/auth/providers`, { headers: { "x-forwarded-proto": "https" } });
    expect(((await providers.json()) as { credentials: { callbackUrl: string } }).credentials.callbackUrl).toMatch(/^http:\/\//);
  });

  describe("when Next is started without it", () => {
    let bare: Server;
    beforeAll(async () => {
      bare = await startServer(t.url, LIMITED, { frontDoor: false });
    }, 120_000);
    afterAll(async () => {
      await bare?.stop();
    });

    it("takes no client's word for an address: every client counts as one", async () => {
      const claiming = () => ({ "x-forwarded-for": randomAddress(), [ADDRESS_HEADER]: randomAddress(), [PROOF_HEADER]: crypto.randomUUID() });
      expect(await attempts(6, bare, claiming)).toEqual([...Array(5).fill("credentials"), "limited"]);
    });

    it("says so in its log", () => {
      expect(bare.output()).toContain("started without the front door");
    });
  });
});
