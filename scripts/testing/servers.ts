import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createTRPCClient, httpLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import { EventSource } from "eventsource";
import { encode } from "next-auth/jwt";
import superjson from "superjson";
import type { DB } from "../../db/client";
import { startSession } from "../../server/auth/sessions";
import type { AppRouter } from "../../server/trpc/root";
import { freePort } from "../lib/free-port";
import { nextNodeFlags } from "../lib/next-node-flags";

export const AUTH_SECRET = "process-tests-secret-process-tests-secret";
const root = path.resolve(import.meta.dirname, "../..");

export interface Server {
  url: string;
  process: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  output(): string;
  /** Its output, also kept in this file; server-logs-on-failure.ts prints it for the tests that fail. */
  logFile: string;
  stop(): Promise<void>;
}

// Server output goes to files, not the test run's screen.
const logDir = fs.mkdtempSync(path.join(os.tmpdir(), "threadline-servers-"));
const running = new Set<Server>();
const watchers = new Set<Set<Server>>();

/**
 * From now on, every server running or started: the ones a test may have depended on, whose logs
 * explain its failure. Each call watches anew (one per test); `stop()` ends a watch.
 */
export function watchServers(): { seen: Set<Server>; stop(): void } {
  const seen = new Set(running);
  watchers.add(seen);
  return { seen, stop: () => watchers.delete(seen) };
}

/** Every test server's settings: quick heartbeats and takeovers, no limits, the offline model. */
const ENV: Record<string, string> = {
  NODE_ENV: "production",
  AUTH_SECRET,
  OFFLINE_MODEL_DELAY_MS: "25",
  RUN_HEARTBEAT_MS: "250",
  // Its log lines are part of what tests read (server.output()).
  LOG_QUIET: "0",
  MESSAGE_RATE_PER_MINUTE: "0",
  MESSAGE_RATE_PER_HOUR: "0",
  THREAD_RATE_PER_MINUTE: "0",
  THREAD_RATE_PER_HOUR: "0",
  RUN_STALE_AFTER_MS: "1500",
  RUN_SWEEP_MS: "250",
  OPENAI_API_KEY: "",
  OPENAI_BASE_URL: "",
  ANTHROPIC_API_KEY: "",
  OLLAMA_BASE_URL: "",
};

/**
 * A real `next start` of the production build (run `next build` first), as an operator runs one
 * instance among several: its own port, the shared database, fast heartbeats so tests are quick,
 * behind the front door as `npm start` runs it (`frontDoor: false`: a bare `next start`, as someone
 * might run it by hand). It listens on 127.0.0.1 only: nothing a test starts is reachable from the
 * network.
 */
export async function startServer(databaseUrl: string, env: Record<string, string> = {}, { frontDoor = true } = {}): Promise<Server> {
  const port = await freePort();
  // CPU_PROFILE_DIR: a V8 CPU profile of the server, written when it exits (SIGTERM, not SIGKILL).
  const profile = env.CPU_PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${env.CPU_PROFILE_DIR}`] : [];
  const next = path.join(root, "node_modules/next/dist/bin/next");
  return launch(
    [
      ...profile,
      ...(frontDoor ? nextNodeFlags(Number(env.HEAP_GROWING_PERCENT ?? process.env.HEAP_GROWING_PERCENT ?? 0)) : []),
      next,
      "start",
      "-H",
      "127.0.0.1",
      "-p",
      String(port),
    ],
    port,
    {
      DATABASE_URL: databaseUrl,
      NEXT_MANUAL_SIG_HANDLE: "true",
      ...env,
    },
  );
}

/**
 * `npm start` itself (scripts/serve.ts: migrations, then Next), as the end-to-end tests start it,
 * with HOST=127.0.0.1. Stopped with SIGTERM, which it passes on to Next: killed, it would leave
 * Next running.
 */
export async function startServeScript(databaseUrl: string, env: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  return launch(
    ["--import", "tsx", "scripts/serve.ts", "start"],
    port,
    { DATABASE_URL: databaseUrl, HOST: "127.0.0.1", PORT: String(port), ...env },
    "SIGTERM",
  );
}

/** A Node script of the repo's, run with tsx in one process (so /proc shows all of its CPU), ready when GET / answers. */
export async function startNodeScript(script: string, env: Record<string, string> = {}): Promise<Server> {
  const port = await freePort();
  return launch(["--import", "tsx", script], port, { PORT: String(port), ...env }, "SIGKILL", "/");
}

async function launch(
  args: string[],
  port: number,
  env: Record<string, string>,
  stopSignal: NodeJS.Signals = "SIGKILL",
  readyPath = "/sign-in",
): Promise<Server> {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...ENV, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  const logFile = path.join(logDir, `server-${port}.log`);
  const file = fs.createWriteStream(logFile);
  let log = "";
  const keep = (d: Buffer) => {
    log += d;
    file.write(d);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const server: Server = {
    url,
    process: child,
    exited,
    output: () => log,
    logFile,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill(stopSignal);
      await exited;
    },
  };
  running.add(server);
  for (const seen of watchers) seen.add(server);
  void exited.then(() => {
    running.delete(server);
    file.end();
  });
  // Ready when it answers; give up after 60 s (or at once if it died).
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited during start:\n${log}`);
    const ok = await fetch(`${url}${readyPath}`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() - started > 60_000) {
      await server.stop();
      throw new Error(`server did not start in 60 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return server;
}

/** The cookie a browser holds after signing in: a session row, and the same Auth.js JWT made with the servers' secret. */
export async function sessionCookie(db: DB, userId: string, email: string): Promise<string> {
  const token = await encode({ token: { sub: userId, email, ...(await startSession(db, userId)) }, secret: AUTH_SECRET, salt: "authjs.session-token" });
  return `authjs.session-token=${token}`;
}

/** Auth.js's CSRF token, with the cookie it must travel with. */
async function csrf(url: string): Promise<{ csrfToken: string; cookie: string }> {
  const res = await fetch(`${url}/api/auth/csrf`);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  return { csrfToken, cookie };
}

/** Signs in the way a browser does: CSRF token, then the credentials callback; returns the session cookie. */
export async function signInOverHttp(url: string, email: string, password: string): Promise<string> {
  const { csrfToken, cookie } = await csrf(url);
  const res = await fetch(`${url}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie },
    body: new URLSearchParams({ email, password, csrfToken, callbackUrl: "/" }),
  });
  const session = res.headers.getSetCookie().find((c) => c.startsWith("authjs.session-token="));
  if (!session) throw new Error(`sign-in failed for ${email}: HTTP ${res.status}`);
  return session.split(";")[0]!;
}

/** Signs out the way a browser does, with the session's cookie. */
export async function signOutOverHttp(url: string, sessionCookie: string): Promise<void> {
  const { csrfToken, cookie } = await csrf(url);
  const res = await fetch(`${url}/api/auth/signout`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: `${cookie}; ${sessionCookie}` },
    body: new URLSearchParams({ csrfToken, callbackUrl: "/sign-in" }),
  });
  if (res.status >= 400) throw new Error(`sign-out failed: HTTP ${res.status}`);
}

/** The app's own tRPC client, as the browser uses it (SSE for subscriptions), pointed at one server. */
export function clientFor(server: { url: string }, cookie: string) {
  const url = `${server.url}/api/trpc`;
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        // Node 20 has no EventSource; this one takes a fetch, through which the cookie goes.
        true: httpSubscriptionLink({
          url,
          transformer: superjson,
          EventSource,
          eventSourceOptions: { fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, cookie } }) },
        }),
        false: httpLink({ url, transformer: superjson, headers: { cookie } }),
      }),
    ],
  });
}
