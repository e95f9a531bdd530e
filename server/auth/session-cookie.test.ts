import { encode } from "next-auth/jwt";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { settingsPerTest } from "@/scripts/testing/settings";
import { sessionFromCookies } from "./session-cookie";

const SECRET = "session-cookie-test-secret-session-cookie-test";
const NAME = "authjs.session-token";

const cookieFor = async (claims: Record<string, unknown>, opts: { salt?: string; secret?: string; maxAge?: number } = {}) =>
  encode({ token: claims, secret: opts.secret ?? SECRET, salt: opts.salt ?? NAME, maxAge: opts.maxAge });

describe("the session of an API request, read from its cookie", () => {
  const set = settingsPerTest();
  beforeEach(() => set({ AUTH_SECRET: SECRET, AUTH_SECRET_1: undefined }));
  afterEach(() => {
    vi.useRealTimers();
  });

  it("reads the user from Auth.js's cookie, among others, under either of its names", async () => {
    const token = await cookieFor({ sub: "user-1", email: "a@example.com", name: "Ada" });
    const session = await sessionFromCookies(`theme=dark; ${NAME}=${token}; other=1`);
    expect(session?.user).toEqual({ id: "user-1", email: "a@example.com", name: "Ada", image: null });

    const secure = await cookieFor({ sub: "user-2" }, { salt: `__Secure-${NAME}` });
    expect((await sessionFromCookies(`__Secure-${NAME}=${secure}`))?.user?.id).toBe("user-2");
  });

  it("refuses a cookie it did not sign, one under the wrong name, a tampered one, and none at all", async () => {
    expect(await sessionFromCookies(`${NAME}=${await cookieFor({ sub: "x" }, { secret: "someone-elses-secret-someone-elses-secret" })}`)).toBeNull();
    // Encrypted for the secure name but sent under the plain one: the salt differs, so it fails.
    expect(await sessionFromCookies(`${NAME}=${await cookieFor({ sub: "x" }, { salt: `__Secure-${NAME}` })}`)).toBeNull();
    const token = await cookieFor({ sub: "x" });
    const tampered = token.slice(0, -6) + (token.endsWith("AAAAAA") ? "BBBBBB" : "AAAAAA");
    expect(await sessionFromCookies(`${NAME}=${tampered}`)).toBeNull();
    expect(await sessionFromCookies(null)).toBeNull();
    expect(await sessionFromCookies("theme=dark")).toBeNull();
  });

  it("accepts cookies signed with a secret being rotated out (AUTH_SECRET_1)", async () => {
    const old = "the-previous-secret-the-previous-secret-xx";
    const token = await cookieFor({ sub: "user-3" }, { secret: old });
    set({ AUTH_SECRET_1: old });
    expect((await sessionFromCookies(`${NAME}=${token}`))?.user?.id).toBe("user-3");
  });

  it("stops accepting a cookie when it expires, though it was read (and remembered) before", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-06-01T12:00:00Z"));
    const token = await cookieFor({ sub: "user-4" }, { maxAge: 60 });
    expect((await sessionFromCookies(`${NAME}=${token}`))?.user?.id).toBe("user-4");
    vi.setSystemTime(new Date("2026-06-01T12:00:59Z"));
    expect((await sessionFromCookies(`${NAME}=${token}`))?.user?.id).toBe("user-4");
    vi.setSystemTime(new Date("2026-06-01T12:02:00Z"));
    expect(await sessionFromCookies(`${NAME}=${token}`)).toBeNull();
  });
});
