import type { IncomingHttpHeaders } from "node:http";
import { describe, expect, it } from "vitest";
import { throughFrontDoor } from "@/scripts/testing/front-door";
import { parseConfig } from "@/server/config";
import { HeadersAdapter } from "next/dist/server/web/spec-extension/adapters/headers";
import { clientAddress } from "./client-address";
import { ADDRESS_HEADER, PROOF_HEADER, admit, frontDoorSettings } from "./front-door.mjs";

const through = (headers: IncomingHttpHeaders, socket: { remoteAddress?: string; encrypted?: boolean }, env: Record<string, string> = {}) => {
  const hsts = admit(headers, socket, frontDoorSettings(env), "the-proof");
  return { headers, hsts };
};

// What a client writes to pass for someone else, on another site, over HTTPS.
const forged = {
  host: "app.example",
  "x-forwarded-for": "203.0.113.66",
  "x-forwarded-host": "evil.example",
  "x-forwarded-proto": "https",
  "x-forwarded-port": "443",
  [ADDRESS_HEADER]: "192.0.2.1",
  [PROOF_HEADER]: "a-guess",
};

describe("the front door", () => {
  it("with no trusted proxy, takes the socket as the client and drops the forwarded host, proto and port", () => {
    expect(through({ ...forged }, { remoteAddress: "198.51.100.4" })).toEqual({
      headers: { host: "app.example", "x-forwarded-for": "203.0.113.66, 198.51.100.4", [ADDRESS_HEADER]: "198.51.100.4", [PROOF_HEADER]: "the-proof" },
      hsts: null,
    });
    expect(through({}, { remoteAddress: "198.51.100.4" }).headers["x-forwarded-for"]).toBe("198.51.100.4");
    // HTTPS only when the socket itself is encrypted.
    expect(through({ ...forged }, { remoteAddress: "198.51.100.4", encrypted: true }).hsts).toBe("max-age=15552000");
  });

  it("behind trusted proxies, takes the entry that many from the right, and their host, proto and port", () => {
    const one = through(
      { ...forged, "x-forwarded-for": "203.0.113.66, 203.0.113.9", "x-forwarded-host": "chat.example" },
      { remoteAddress: "10.0.0.2" },
      { TRUSTED_PROXY_HOPS: "1" },
    );
    expect(one.headers).toMatchObject({
      "x-forwarded-for": "203.0.113.66, 203.0.113.9, 10.0.0.2",
      [ADDRESS_HEADER]: "203.0.113.9",
      "x-forwarded-host": "chat.example",
    });
    expect(one.hsts).toBe("max-age=15552000");

    // Two proxies that append: the outer one's entries count, not the client's nor the inner hop's.
    const two = through(
      {
        "x-forwarded-for": "203.0.113.66, 203.0.113.9, 10.0.0.1",
        "x-forwarded-host": "evil.example, chat.example, inner",
        "x-forwarded-proto": "http, https, http",
      },
      { remoteAddress: "10.0.0.2" },
      { TRUSTED_PROXY_HOPS: "2" },
    );
    expect(two.headers).toMatchObject({ [ADDRESS_HEADER]: "203.0.113.9", "x-forwarded-host": "chat.example", "x-forwarded-proto": "https" });
    expect(two.hsts).toBe("max-age=15552000");
  });

  it("reached with fewer hops than configured, takes the farthest entry there is, and the socket for HTTPS", () => {
    const direct = through({}, { remoteAddress: "198.51.100.4", encrypted: true }, { TRUSTED_PROXY_HOPS: "2" });
    expect(direct.headers).toEqual({ "x-forwarded-for": "198.51.100.4", [ADDRESS_HEADER]: "198.51.100.4", [PROOF_HEADER]: "the-proof" });
    expect(direct.hsts).toBe("max-age=15552000");
    // Proxies that overwrite rather than append: their one value stands.
    const overwritten = through(
      { "x-forwarded-host": "chat.example", "x-forwarded-proto": "https" },
      { remoteAddress: "10.0.0.2" },
      { TRUSTED_PROXY_HOPS: "2" },
    );
    expect([overwritten.headers["x-forwarded-host"], overwritten.hsts]).toEqual(["chat.example", "max-age=15552000"]);
    expect(through({ "x-forwarded-proto": "http" }, { remoteAddress: "10.0.0.2", encrypted: true }, { TRUSTED_PROXY_HOPS: "1" }).hsts).toBeNull();
  });

  it("sends HSTS with the configured lifetime, or none with 0, and keeps a long address short", () => {
    const https = { "x-forwarded-proto": "https" };
    expect(through({ ...https }, { remoteAddress: "10.0.0.2" }, { TRUSTED_PROXY_HOPS: "1", HSTS_MAX_AGE: "600" }).hsts).toBe("max-age=600");
    expect(through({ ...https }, { remoteAddress: "10.0.0.2", encrypted: true }, { HSTS_MAX_AGE: "0" }).hsts).toBeNull();
    const essay = through({ "x-forwarded-for": "x".repeat(5000) }, { remoteAddress: "10.0.0.2" }, { TRUSTED_PROXY_HOPS: "1" });
    expect(essay.headers[ADDRESS_HEADER]).toHaveLength(100);
  });

  it("reads its settings exactly as the config module does", () => {
    const read = (read: () => { hops: number; hsts: number }) => {
      try {
        return read();
      } catch (err) {
        if (err instanceof Error) return "refused";
        throw err;
      }
    };
    for (const hops of [undefined, "", " ", "0", "1", " 3 ", "-1", "1.5", "two", "99999999999999999999"]) {
      for (const hsts of [undefined, "0", "600", "1e3"]) {
        const env = { TRUSTED_PROXY_HOPS: hops, HSTS_MAX_AGE: hsts };
        const byConfig = read(() => {
          const c = parseConfig(env);
          return { hops: c.TRUSTED_PROXY_HOPS, hsts: c.HSTS_MAX_AGE };
        });
        const byFrontDoor = read(() => {
          const s = frontDoorSettings(env);
          return { hops: s.trustedProxyHops, hsts: s.hstsMaxAge };
        });
        expect({ env, byFrontDoor }).toEqual({ env, byFrontDoor: byConfig });
      }
    }
  });
});

describe("the client's address", () => {
  const request = (headers: Record<string, string>) => new Request("http://app.example/api/auth/callback/credentials", { headers });

  it("is the one the front door found, from a request or its headers", () => {
    const admitted = throughFrontDoor(request({ "x-forwarded-for": "203.0.113.66" }), "198.51.100.4");
    expect(clientAddress(admitted)).toBe("198.51.100.4");
    expect(clientAddress(admitted.headers)).toBe("198.51.100.4");
    // What a server action's `await headers()` gives: Next's adapter, which keeps the raw headers in a field named `headers`.
    expect(clientAddress(HeadersAdapter.seal(new HeadersAdapter(Object.fromEntries(admitted.headers))))).toBe("198.51.100.4");
    expect(clientAddress(throughFrontDoor(request({ "x-forwarded-for": "203.0.113.66, 203.0.113.9" }), "10.0.0.2", { TRUSTED_PROXY_HOPS: "1" }))).toBe(
      "203.0.113.9",
    );
  });

  it("is unknown for a request the front door did not handle, whatever it claims", () => {
    expect(clientAddress(request({ "x-forwarded-for": "203.0.113.66", [ADDRESS_HEADER]: "203.0.113.66", [PROOF_HEADER]: "a-guess" }))).toBe("unknown");
    expect(clientAddress(undefined)).toBe("unknown");
  });
});
