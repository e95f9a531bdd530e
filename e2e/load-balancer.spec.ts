/**
 * Through a real reverse proxy: Debian's nginx, running deploy/nginx/threadline.conf.template (the
 * example operators are given), round-robin with no affinity over two `next start` instances on one
 * database of their own. The page only ever talks to nginx.
 */
import { randomBytes } from "node:crypto";
import { type Browser, type BrowserContext, expect, type Page, test } from "@playwright/test";
import pg from "pg";
import { type Nginx, startNginx } from "../scripts/testing/nginx";
import { migrateWithCli } from "../scripts/testing/migrate-cli";
import { type Server, startServer } from "../scripts/testing/servers";
import { answerDone, ask, lastAnswer, openEmptyConversation, signIn, signUp } from "./helpers";

// One set of instances for the file, in one worker; the last test kills one of them.
test.describe.configure({ mode: "serial" });

const INSTANCE_ENV = {
  // nginx is the one proxy in front: the client's address is the entry it appends to X-Forwarded-For.
  TRUSTED_PROXY_HOPS: "1",
  // Paced as the other end-to-end tests are, so an answer is seen while it is written.
  OFFLINE_MODEL_DELAY_MS: "40",
};

let admin: pg.Client;
let dbName: string;
let pool: pg.Pool;
let servers: Server[] = [];
let lb: Nginx;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  // A database of its own on the end-to-end tests' server, migrated as an operator does (`npm run db:migrate`).
  admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  dbName = `tl_e2e_lb_${randomBytes(5).toString("hex")}`;
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = Object.assign(new URL(process.env.DATABASE_URL!), { pathname: `/${dbName}` }).toString();
  await migrateWithCli(url);
  pool = new pg.Pool({ connectionString: url, max: 2 });
  // An idle connection that Postgres ends is replaced at the next query; unheard, its error would end the worker.
  pool.on("error", (err) => console.warn(`test pool: ${err.message}`));
  servers = await Promise.all([startServer(url, INSTANCE_ENV), startServer(url, INSTANCE_ENV)]);
  lb = await startNginx(servers.map((s) => s.url));
});

test.afterAll(async () => {
  await lb?.stop();
  await Promise.all(servers.map((s) => s.stop()));
  await pool?.end();
  if (dbName) await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin?.end();
});

const contexts: BrowserContext[] = [];
test.afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
});

/** A browser whose every request goes to nginx. */
async function throughProxy(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ baseURL: lb.url });
  contexts.push(context);
  return context.newPage();
}

/** Which instance served each request nginx has logged so far (its access log names the upstream). */
const upstreamOf = (line: string) => /upstream=(\S+)/.exec(line)?.[1] ?? "";
const addressOf = (s: Server) => new URL(s.url).host;

/**
 * The answer's length each time it is seen longer while it is still being written: more than one
 * means the words reached the browser as they were written, not held back by the proxy until the end.
 */
async function growthWhileWriting(page: Page): Promise<number[]> {
  const seen: number[] = [];
  await expect
    .poll(
      async () => {
        const answer = lastAnswer(page);
        const [text, busy] = await Promise.all([answer.innerText().catch(() => ""), answer.getAttribute("aria-busy").catch(() => null)]);
        if (busy === "true" && text.length > (seen.at(-1) ?? 0)) seen.push(text.length);
        return seen.length;
      },
      { timeout: 20_000, intervals: [50] },
    )
    .toBeGreaterThanOrEqual(4);
  return seen;
}

/** The instance running the thread's answer, as Postgres names it (runs.owner_instance is host:pid:random). */
async function ownerOf(threadId: string): Promise<Server> {
  const { rows } = await pool.query<{ owner_instance: string }>("SELECT owner_instance FROM runs WHERE thread_id = $1 AND status = 'running'", [threadId]);
  expect(rows).toHaveLength(1);
  const owner = servers.find((s) => rows[0]!.owner_instance.includes(`:${s.process.pid}:`));
  if (!owner) throw new Error(`no instance of ours is ${rows[0]!.owner_instance}`);
  return owner;
}

test("signed in through nginx: answers stream unbuffered, a reload mid-answer loses nothing, and requests go to both instances", async ({ browser }) => {
  test.setTimeout(90_000);
  const page = await throughProxy(browser);
  const logStart = lb.accessLog().length;
  const email = await signUp(page);
  await openEmptyConversation(page);
  await ask(page, "hello");
  const growth = await growthWhileWriting(page);
  await answerDone(page);
  await expect(lastAnswer(page)).toContainText("restart Threadline.");
  const expected = await lastAnswer(page).innerText();
  console.log(`through nginx, the answer was seen growing ${growth.length} times while written (${growth.join(" → ")} characters)`);

  const id = await openEmptyConversation(page);
  await ask(page, "hello");
  await expect(lastAnswer(page)).toContainText("offline demo model");
  await page.reload();
  await expect(page.getByRole("button", { name: "Stop" })).toBeVisible();
  await answerDone(page);
  expect(await lastAnswer(page).innerText()).toBe(expected);
  await expect(page.getByRole("article", { name: "You" })).toHaveCount(1);

  // Signing in again, in another browser, goes through the same round-robin: sessions need no affinity.
  const other = await throughProxy(browser);
  await signIn(other, email);
  await other.goto(`/c/${id}`);
  expect(await lastAnswer(other).innerText()).toBe(expected);

  const served = lb
    .accessLog()
    .slice(logStart)
    .filter((l) => l.includes(" /api/trpc/"));
  const counts = servers.map((s) => served.filter((l) => upstreamOf(l) === addressOf(s)).length);
  console.log(`API requests per instance through nginx: ${counts.join(" and ")}`);
  expect(Math.min(...counts), "API requests served by the instance that served fewer").toBeGreaterThan(0);
});

test("two tabs through nginx: a message sent in one shows, with its live answer, in the other", async ({ browser }) => {
  test.setTimeout(60_000);
  const page = await throughProxy(browser);
  await signUp(page);
  const id = await openEmptyConversation(page);
  const tab = await page.context().newPage();
  await tab.goto(`/c/${id}`);
  await expect(tab.getByText("No messages yet.")).toBeVisible();

  await ask(page, "hello");
  await expect(tab.getByRole("article", { name: "You" })).toHaveText("hello");
  await expect(tab.getByRole("button", { name: "Stop" })).toBeVisible();
  await growthWhileWriting(tab);
  await answerDone(page);
  await answerDone(tab);
  await expect(lastAnswer(tab)).toContainText("restart Threadline.");
  expect(await lastAnswer(tab).innerText()).toBe(await lastAnswer(page).innerText());
});

test("kill -9 of the instance running the answer, watched through nginx: the page says it was interrupted, and Continue finishes it", async ({ browser }) => {
  test.setTimeout(90_000);
  const page = await throughProxy(browser);
  await signUp(page);
  const threadId = await openEmptyConversation(page);
  await ask(page, "hello");
  await expect(lastAnswer(page)).toContainText("offline demo model");
  await expect(lastAnswer(page)).toHaveAttribute("aria-busy", "true");

  const victim = await ownerOf(threadId);
  const survivor = servers.find((s) => s !== victim)!;
  const logAtKill = lb.accessLog().length;
  victim.process.kill("SIGKILL");
  await victim.exited;

  // The page is not reloaded: its event stream, broken if it was on the victim, reconnects through
  // nginx to the survivor, which takes the answer over once its heartbeats stop (RUN_STALE_AFTER_MS).
  // Killed in the middle of writing, it is marked interrupted (a new model call would write another
  // answer beside the half one shown), and says so.
  await expect(page.getByText("The server stopped while this answer was being written.")).toBeVisible({ timeout: 20_000 });
  await expect(page.getByRole("button", { name: "Stop" })).toHaveCount(0);
  const { rows } = await pool.query("SELECT status, recoveries, owner_instance FROM runs WHERE thread_id = $1", [threadId]);
  expect(rows).toEqual([{ status: "interrupted", recoveries: 1, owner_instance: expect.stringContaining(`:${survivor.process.pid}:`) }]);

  // nginx logs a request when it ends: a chat.events stream of the victim's, logged since, is the page's broken one.
  const broken = lb
    .accessLog()
    .slice(logAtKill)
    .some((l) => l.includes("/api/trpc/chat.events") && upstreamOf(l) === addressOf(victim));
  console.log(`the page's event stream was ${broken ? "on the killed instance, and reconnected through nginx" : "on the survivor"}`);

  await page.getByRole("button", { name: "Continue" }).click();
  await answerDone(page);
  await expect(lastAnswer(page)).toContainText("restart Threadline.");
  await expect(page.getByText("The server stopped while this answer was being written.")).toHaveCount(0);
  await expect(page.getByRole("article", { name: "You" })).toHaveCount(1);
  await page.reload();
  await expect(lastAnswer(page)).toContainText("restart Threadline.");
  await expect(page.getByText("This answer was interrupted before it finished.")).toHaveCount(0);
});
