import { describe, expect, it } from "vitest";
import { testDatabaseForFile } from "@/scripts/testing/database";
import { settingsPerTest } from "@/scripts/testing/settings";
import { uniqueAddress, uniqueEmail } from "@/scripts/testing/users";
import { SERVER_BUSY, withHashSlot } from "./hash-slots";
import { signInRefusalMessage, signInWithPassword } from "./sign-in-limit";
import { createUser } from "./users";

const t = testDatabaseForFile();
const set = settingsPerTest();

const PASSWORD = "correct-horse-42";

async function owner() {
  const email = uniqueEmail();
  await createUser(t.db, { email, password: PASSWORD });
  return email;
}

/** What one attempt comes to: signed in, a wrong password, or the form's message for a refusal. */
async function attempt(email: string, password: string, address: string): Promise<string> {
  return signInWithPassword(t.db, { email, password }, address).then(
    (user) => (user ? "signed in" : "wrong"),
    (err: unknown) => signInRefusalMessage(err) ?? `not a refusal: ${String(err)}`,
  );
}

const TOO_MANY = /^Too many sign-in attempts\. Try again in \d+ (seconds?|minutes?)\.$/;

describe("sign-in limits", () => {
  it("lock an email at the address that failed ten times, not at its owner's", async () => {
    set({ SIGNIN_FAILURES_PER_EMAIL_IP: 10, SIGNIN_FAILURES_PER_EMAIL: 50, SIGNIN_FAILURES_PER_IP: 100 });
    const [email, home, elsewhere] = [await owner(), uniqueAddress(), uniqueAddress()];
    for (let i = 0; i < 10; i++) expect(await attempt(email, `guess-${i}`, elsewhere)).toBe("wrong");
    // Locked there, even with the right password; the email in another case is the same email.
    expect(await attempt(email.toUpperCase(), PASSWORD, elsewhere)).toMatch(TOO_MANY);
    expect(await attempt(email, PASSWORD, home)).toBe("signed in");
  });

  it("count failures only: signing in often locks no one out", async () => {
    set({ SIGNIN_FAILURES_PER_EMAIL_IP: 3, SIGNIN_FAILURES_PER_EMAIL: 3, SIGNIN_FAILURES_PER_IP: 3 });
    const [email, home] = [await owner(), uniqueAddress()];
    for (let i = 0; i < 5; i++) expect(await attempt(email, PASSWORD, home)).toBe("signed in");
  });

  it("start the owner afresh after a success at their address", async () => {
    set({ SIGNIN_FAILURES_PER_EMAIL_IP: 3, SIGNIN_FAILURES_PER_EMAIL: 50, SIGNIN_FAILURES_PER_IP: 100 });
    const [email, home] = [await owner(), uniqueAddress()];
    for (let i = 0; i < 2; i++) expect(await attempt(email, `typo-${i}`, home)).toBe("wrong");
    expect(await attempt(email, PASSWORD, home)).toBe("signed in");
    for (let i = 0; i < 3; i++) expect(await attempt(email, `typo-again-${i}`, home)).toBe("wrong");
    expect(await attempt(email, PASSWORD, home)).toMatch(TOO_MANY);
  });

  it("hold guessing at one email from many addresses with a looser count, which then locks the owner too", async () => {
    set({ SIGNIN_FAILURES_PER_EMAIL_IP: 10, SIGNIN_FAILURES_PER_EMAIL: 4, SIGNIN_FAILURES_PER_IP: 100 });
    const [email, home] = [await owner(), uniqueAddress()];
    for (let i = 0; i < 4; i++) expect(await attempt(email, `guess-${i}`, uniqueAddress())).toBe("wrong");
    expect(await attempt(email, PASSWORD, uniqueAddress())).toMatch(TOO_MANY);
    expect(await attempt(email, PASSWORD, home)).toMatch(TOO_MANY);
  });

  it("hold one address guessing many emails, registered or not, and no other address", async () => {
    set({ SIGNIN_FAILURES_PER_EMAIL_IP: 10, SIGNIN_FAILURES_PER_EMAIL: 50, SIGNIN_FAILURES_PER_IP: 3 });
    const [email, home, elsewhere] = [await owner(), uniqueAddress(), uniqueAddress()];
    for (let i = 0; i < 3; i++) expect(await attempt(uniqueEmail(), PASSWORD, elsewhere)).toBe("wrong");
    expect(await attempt(email, PASSWORD, elsewhere)).toMatch(TOO_MANY);
    expect(await attempt(email, PASSWORD, home)).toBe("signed in");
  });

  it("keep an email an attacker types from naming another count", async () => {
    set({ SIGNIN_FAILURES_PER_EMAIL_IP: 2, SIGNIN_FAILURES_PER_EMAIL: 50, SIGNIN_FAILURES_PER_IP: 100 });
    const [email, home] = [await owner(), uniqueAddress()];
    // Were the pair's key `email:address`, these would fill the owner's pair from elsewhere.
    for (let i = 0; i < 3; i++) expect(await attempt(`${email}:${home}`, PASSWORD, uniqueAddress())).toBe("wrong");
    expect(await attempt(email, PASSWORD, home)).toBe("signed in");
  });

  it("refuse an attempt as busy when every hash slot is taken, without counting it as a failure", async () => {
    set({ PASSWORD_HASH_CONCURRENCY: 1, PASSWORD_HASH_QUEUE: 0, SIGNIN_FAILURES_PER_EMAIL_IP: 1 });
    const [email, home] = [await owner(), uniqueAddress()];
    let release = () => {};
    const taken = withHashSlot(() => new Promise<void>((resolve) => (release = resolve)));
    expect(await attempt(email, "wrong-password", home)).toBe(SERVER_BUSY);
    release();
    await taken;
    // Had the busy one counted, this would be over the limit of one failure.
    expect(await attempt(email, PASSWORD, home)).toBe("signed in");
  });

  it("read as a wrong password for any other failure", () => {
    expect(signInRefusalMessage(new Error("wrong password"))).toBeNull();
  });
});
