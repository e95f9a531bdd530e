import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { postgresUser } from "../../db/embedded";
import { freePort } from "../lib/free-port";

const root = path.resolve(import.meta.dirname, "../..");
/** The configuration deploy/ ships: the tests run it, with only addresses and file paths changed. */
export const SHIPPED_INI = path.join(root, "deploy/pgbouncer/pgbouncer.ini");
const BINARY = "/usr/sbin/pgbouncer";

export interface PgBouncer {
  /** `directUrl` (a database on the PostgreSQL behind it) as reached through PgBouncer, with its password. */
  pooled(directUrl: string): string;
  /** A statement on PgBouncer's admin console (SHOW POOLS, SHOW STATS…), its rows. */
  admin<R extends pg.QueryResultRow>(command: string): Promise<R[]>;
  output(): string;
  stop(): Promise<void>;
}

export interface PgBouncerOptions {
  /** Edits of the shipped file, for tests that need it wrong: [databases]' catch-all line, by a function. */
  databases?: (line: string) => string;
}

/**
 * The real PgBouncer (Debian's package) in front of the PostgreSQL of `directUrl`, with the shipped
 * deploy/pgbouncer/pgbouncer.ini: on a free loopback port, its files in a directory of its own, in
 * the foreground and told to die with this process. As root it runs as the `postgres` user, since
 * PgBouncer refuses root. Ready when it answers.
 */
export async function startPgBouncer(directUrl: string, { databases = (l) => l }: PgBouncerOptions = {}): Promise<PgBouncer> {
  if (!fs.existsSync(BINARY)) throw new Error(`PgBouncer is not installed (no ${BINARY}): apt-get install pgbouncer (.ci/run installs it)`);
  const target = new URL(directUrl);
  const user = decodeURIComponent(target.username) || "postgres";
  // PgBouncer checks the client's password and logs in to PostgreSQL with it: the database's own,
  // or, for a PostgreSQL that asks for none, one of ours.
  const password = decodeURIComponent(target.password) || randomBytes(12).toString("hex");
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "threadline-pgbouncer-"));
  const userlist = path.join(dir, "userlist.txt");
  fs.writeFileSync(userlist, `"${user}" "${password}"\n`, { mode: 0o600 });
  const ini = path.join(dir, "pgbouncer.ini");
  fs.writeFileSync(
    ini,
    configure(fs.readFileSync(SHIPPED_INI, "utf8"), {
      databases: (line) => databases(line.replace(/\bhost=\S+/, `host=${target.hostname}`).replace(/\bport=\S+/, `port=${target.port || 5432}`)),
      pgbouncer: { listen_addr: "127.0.0.1", listen_port: String(port), auth_file: userlist, admin_users: user },
    }),
  );
  const runAs = await postgresUser();
  if (runAs.uid !== undefined) for (const file of [dir, userlist, ini]) fs.chownSync(file, runAs.uid, runAs.gid!);

  // setpriv --pdeathsig: killed with this process, however it ends, instead of outliving it.
  const child = spawn("setpriv", ["--pdeathsig", "KILL", BINARY, ini], { ...runAs, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout!.on("data", (d) => (log += d));
  child.stderr!.on("data", (d) => (log += d));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const url = (database: string) => Object.assign(new URL(`postgres://127.0.0.1:${port}`), { username: user, password, pathname: `/${database}` }).toString();
  const bouncer: PgBouncer = {
    pooled: (direct) => url(new URL(direct).pathname.slice(1)),
    admin: async (command) => {
      const client = new pg.Client({ connectionString: url("pgbouncer") });
      await client.connect();
      try {
        // The admin console speaks only the simple protocol: no parameters.
        return (await client.query(command)).rows;
      } finally {
        await client.end();
      }
    },
    output: () => log,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  await ready(bouncer, child, () => log);
  return bouncer;
}

async function ready(bouncer: PgBouncer, child: ChildProcess, log: () => string) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`PgBouncer exited during start:\n${log()}`);
    const up = await bouncer.admin("SHOW VERSION").then(
      () => true,
      () => false,
    );
    if (up) return;
    if (Date.now() > deadline) {
      await bouncer.stop();
      throw new Error(`PgBouncer did not start in 15 s:\n${log()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The ini with its catch-all database line rewritten and [pgbouncer] settings replaced (or added).
 * A line the tests must change that the file lacks is an error: the file and the tests stay one.
 */
function configure(ini: string, edits: { databases: (line: string) => string; pgbouncer: Record<string, string> }): string {
  let section = "";
  let sawDatabases = false;
  const pending = new Map(Object.entries(edits.pgbouncer));
  const lines = ini.split("\n").flatMap((line) => {
    const header = /^\[(\w+)\]/.exec(line);
    if (header) {
      const added = section === "pgbouncer" ? [...pending].map(([k, v]) => `${k} = ${v}`) : [];
      if (section === "pgbouncer") pending.clear();
      section = header[1]!;
      return [...added, line];
    }
    if (section === "databases" && line.startsWith("* =")) {
      sawDatabases = true;
      return [edits.databases(line)];
    }
    const key = /^(\w+)\s*=/.exec(line)?.[1];
    if (section === "pgbouncer" && key && pending.has(key)) {
      const value = pending.get(key)!;
      pending.delete(key);
      return [`${key} = ${value}`];
    }
    return [line];
  });
  if (!sawDatabases) throw new Error(`${SHIPPED_INI} has no "* =" line in [databases] to point at the test PostgreSQL`);
  for (const key of ["listen_addr", "listen_port", "auth_file"])
    if (!new RegExp(`^${key}\\s*=`, "m").test(ini)) throw new Error(`${SHIPPED_INI} has no ${key} line to change for the tests`);
  return [...lines, ...[...pending].map(([k, v]) => `${k} = ${v}`)].join("\n");
}
