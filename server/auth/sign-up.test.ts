import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { users } from "@/db/schema";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { settingsPerTest } from "@/scripts/testing/settings";
import { uniqueAddress, uniqueEmail } from "@/scripts/testing/users";
import { RateLimited } from "@/server/errors";
import { signUpSchema } from "./credentials";
import { signUp } from "./sign-up";

const t = testDatabaseForFile();
const set = settingsPerTest();

const PASSWORD = "correct-horse-42";

/** What one sign-up from the form comes to (its email normalised first): created, told the email is taken, or the refusal's message. */
const attempt = (email: string, address: string) =>
  signUp(t.db, signUpSchema.parse({ email, password: PASSWORD }), address).then(
    (r) => (r.ok ? "created" : r.reason),
    (err: unknown) => (err instanceof RateLimited ? err.message : `not a refusal: ${String(err)}`),
  );

const TOO_MANY = /^Too many sign-up attempts\. Try again in \d+ (seconds?|minutes?)\.$/;

describe("sign-up limits", () => {
  it("bound how many emails one address may try, and no other address's", async () => {
    set({ SIGNUP_ATTEMPTS_PER_IP: 3, SIGNUP_ATTEMPTS_PER_EMAIL: 5 });
    const [taken, here, elsewhere] = [uniqueEmail(), uniqueAddress(), uniqueAddress()];
    expect(await attempt(taken, elsewhere)).toBe("created");
    // Looking emails up: one registered, two not; the fourth gets no answer about its email.
    expect(await attempt(taken, here)).toBe("email-taken");
    expect(await attempt(uniqueEmail(), here)).toBe("created");
    expect(await attempt(uniqueEmail(), here)).toBe("created");
    const refused = uniqueEmail();
    expect(await attempt(refused, here)).toMatch(TOO_MANY);
    expect(await t.db.select().from(users).where(eq(users.email, refused))).toEqual([]);
    expect(await attempt(refused, elsewhere)).toBe("created");
  });

  it("bound the attempts on one email from any number of addresses", async () => {
    set({ SIGNUP_ATTEMPTS_PER_IP: 100, SIGNUP_ATTEMPTS_PER_EMAIL: 2 });
    const email = uniqueEmail();
    expect(await attempt(email, uniqueAddress())).toBe("created");
    expect(await attempt(email.toUpperCase(), uniqueAddress())).toBe("email-taken");
    expect(await attempt(email, uniqueAddress())).toMatch(TOO_MANY);
  });
});
