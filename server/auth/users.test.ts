import { beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { users } from "@/db/schema";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { uniqueEmail } from "@/scripts/testing/users";
import { signInSchema, signUpSchema } from "./credentials";
import { createUser, verifyCredentials } from "./users";

const t = testDatabaseForFile();

const messages = (input: unknown) => {
  const r = signUpSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => i.message);
};

describe("sign-up rules", () => {
  it("rejects a malformed email", () => {
    expect(messages({ email: "not-an-email", password: "long enough" })).toEqual(["Enter a valid email address"]);
    expect(messages({ email: "a@", password: "long enough" })).toEqual(["Enter a valid email address"]);
  });

  it("rejects a password under 8 characters, and accepts exactly 8", () => {
    expect(messages({ email: "a@b.co", password: "1234567" })).toEqual(["Password must be at least 8 characters"]);
    expect(messages({ email: "a@b.co", password: "12345678" })).toEqual([]);
  });

  it("rejects a password bcrypt would silently truncate", () => {
    expect(messages({ email: "a@b.co", password: "x".repeat(73) })).toEqual(["Password must be at most 72 characters"]);
    expect(messages({ email: "a@b.co", password: "é".repeat(37) })).toEqual(["Password must be at most 72 characters"]);
  });

  it("normalises the email's case and surrounding spaces", () => {
    expect(signUpSchema.parse({ email: "  Ada@Example.COM ", password: "12345678" }).email).toBe("ada@example.com");
  });

  it("stores a bcrypt hash, never the password", async () => {
    const email = uniqueEmail();
    const created = await createUser(t.db, { email, password: "correct-horse-42" });
    expect(created.ok).toBe(true);
    const [row] = await t.db.select().from(users).where(eq(users.email, email));
    expect(row?.passwordHash).toMatch(/^\$2[aby]\$12\$/);
    expect(row?.passwordHash).not.toContain("correct-horse-42");
  });

  it("refuses a duplicate email, whatever its case", async () => {
    const email = uniqueEmail();
    expect((await createUser(t.db, { email, password: "correct-horse-42" })).ok).toBe(true);
    const again = signUpSchema.parse({ email: email.toUpperCase(), password: "another-pass-1" });
    expect(await createUser(t.db, again)).toEqual({ ok: false, reason: "email-taken" });
  });

  it("gives exactly one account when the same email signs up twice at once", async () => {
    const email = uniqueEmail();
    const results = await Promise.all([1, 2, 3].map(() => createUser(t.db, { email, password: "correct-horse-42" })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });
});

describe("sign-in rules", () => {
  const email = uniqueEmail();
  beforeAll(async () => {
    await createUser(t.db, { email, password: "correct-horse-42" });
  });

  it("accepts the right password, with the email in any case", async () => {
    const user = await verifyCredentials(t.db, signInSchema.parse({ email: email.toUpperCase(), password: "correct-horse-42" }));
    expect(user?.email).toBe(email);
  });

  it("answers a wrong password and an unknown email the same way", async () => {
    expect(await verifyCredentials(t.db, { email, password: "wrong-password" })).toBeNull();
    expect(await verifyCredentials(t.db, { email: uniqueEmail(), password: "correct-horse-42" })).toBeNull();
  });

  it("never signs in an OAuth-only user with a password", async () => {
    const oauthEmail = uniqueEmail();
    await t.db.insert(users).values({ email: oauthEmail });
    expect(await verifyCredentials(t.db, { email: oauthEmail, password: "anything-at-all" })).toBeNull();
  });
});
