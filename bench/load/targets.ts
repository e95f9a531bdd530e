import bcrypt from "bcryptjs";
import { randomUUID } from "node:crypto";
import path from "node:path";
import type pg from "pg";
import { clientFor, type Server, signInOverHttp, startNodeScript, startServer } from "../../scripts/testing/servers";
import type { Conversation, Target } from "./driver";
import { postForEvents } from "./sse";

const PASSWORD = "load-test-password";

/**
 * Threadline's production build: each user signs in through Auth.js's credentials endpoint, opens a
 * thread, and sends over the app's own tRPC client, following each answer's events over SSE.
 * `instances` servers share the database; each user stays on one (a balancer with affinity).
 */
export async function threadlineTarget(o: {
  url: string;
  pool: pg.Pool;
  users: number;
  instances: number;
  env: Record<string, string>;
  /** Named after the target, e.g. the settings of a --variant run. */
  label?: string;
}): Promise<Target> {
  // A cheap hash for test users: the sign-in flow is real, without 500 rounds of bcrypt-12.
  const hash = bcrypt.hashSync(PASSWORD, 4);
  await o.pool.query(
    `INSERT INTO "user" (id, email, password_hash) SELECT 'load-' || g, 'load-' || g || '@example.com', $1 FROM generate_series(1, $2) g ON CONFLICT DO NOTHING`,
    [hash, o.users],
  );
  const servers: Server[] = [];
  for (let i = 0; i < o.instances; i++) servers.push(await startServer(o.url, o.env));
  const serverOf = (u: number) => servers[u % o.instances]!;
  return {
    name: `${o.instances > 1 ? `Threadline ×${o.instances}` : "Threadline"}${o.label ? ` (${o.label})` : ""}`,
    pids: servers.map((s) => s.process.pid!),
    async open(u): Promise<Conversation> {
      const client = clientFor(serverOf(u), await signInOverHttp(serverOf(u).url, `load-${u + 1}@example.com`, PASSWORD));
      const thread = await client.thread.create.mutate({ title: `load ${u}` });
      return {
        async ask(text, on) {
          const { runId } = await client.chat.send.mutate({ threadId: thread.id, text });
          on.onAccepted();
          return new Promise((resolve) => {
            const sub = client.chat.events.subscribe(
              { runId },
              {
                onData: ({ data: event }) => {
                  // A client joining a run gets the turn so far as a snapshot: words only if it has text.
                  if (event.type === "text-delta" || (event.type === "snapshot" && event.turn.parts.some((p) => p.type === "text" && p.text))) on.onWords();
                  if (event.type === "run-end") {
                    sub.unsubscribe();
                    resolve(event.status === "succeeded" ? { ok: true } : { ok: false, error: `run ${event.status}: ${event.error ?? ""}` });
                  }
                },
                onError: (err) => resolve({ ok: false, error: `stream: ${(err as Error).message}` }),
              },
            );
          });
        },
      };
    },
    async stop(graceful) {
      // SIGTERM lets a profiled server write its profile as it exits.
      if (graceful) for (const s of servers) s.process.kill("SIGTERM");
      await Promise.all(servers.map((s) => (graceful ? s.exited : s.stop())));
    },
  };
}

/** A baseline server (bench/load/<name>-server.ts): one POST per message, the answer back as SSE. */
export async function baselineTarget(name: string, script: string, env: Record<string, string>): Promise<Target> {
  const server = await startNodeScript(path.join("bench", "load", script), env);
  return {
    name,
    pids: [server.process.pid!],
    async open() {
      const threadId = randomUUID();
      return { ask: (text, on) => postForEvents(`${server.url}/chat`, { threadId, text }, on) };
    },
    stop: () => server.stop(),
  };
}
