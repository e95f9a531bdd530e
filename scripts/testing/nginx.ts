import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort } from "../lib/free-port";

const root = path.resolve(import.meta.dirname, "../..");
/** The configuration operators are given (README, docker-compose.yml): the tests run this very file. */
export const NGINX_TEMPLATE = path.join(root, "deploy/nginx/threadline.conf.template");
// Debian puts it in /usr/sbin, which is not on every user's PATH.
const NGINX = fs.existsSync("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx";

export interface Nginx {
  url: string;
  process: ChildProcess;
  /** The access log (deploy/nginx's `threadline` format), one line per request answered so far. */
  accessLog(): string[];
  /** Its error log (stderr). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * The template with its `${NAME}` placeholders filled in, as the nginx image's envsubst does. Every
 * placeholder must be given and every value used, so the file and its fillers cannot drift apart.
 */
export function fillTemplate(template: string, values: Record<string, string>): string {
  const used = new Set<string>();
  const filled = template.replace(/\$\{([A-Z_]+)\}/g, (_, name: string) => {
    if (!(name in values)) throw new Error(`no value for \${${name}} in ${NGINX_TEMPLATE}`);
    used.add(name);
    return values[name]!;
  });
  const unused = Object.keys(values).filter((name) => !used.has(name));
  if (unused.length) throw new Error(`${NGINX_TEMPLATE} has no \${${unused.join("}, ${")}}`);
  return filled;
}

/**
 * Debian's nginx in front of `upstreams` (server URLs), with deploy/nginx/threadline.conf.template
 * as its whole site configuration, on a free loopback port. It runs in the foreground with its
 * files (pid, temp directories) in a directory of its own, so it needs no root and touches nothing
 * of the machine's nginx. Ready once it has answered a request.
 */
export async function startNginx(upstreams: string[]): Promise<Nginx> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "threadline-nginx-"));
  const site = fillTemplate(fs.readFileSync(NGINX_TEMPLATE, "utf8"), {
    THREADLINE_LISTEN: `127.0.0.1:${port}`,
    THREADLINE_UPSTREAMS: upstreams.map((u) => `server ${new URL(u).host};`).join(" "),
  });
  fs.writeFileSync(path.join(dir, "threadline.conf"), site);
  // What the nginx image's own nginx.conf provides around conf.d/, minus what proxying never uses.
  const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((t) => `  ${t}_temp_path ${path.join(dir, t)};`).join("\n");
  // As root, nginx would run its workers as `nobody`, which cannot enter this private directory.
  const user = process.getuid?.() === 0 ? "user root;\n" : "";
  fs.writeFileSync(
    path.join(dir, "nginx.conf"),
    `${user}worker_processes 1;\nevents { worker_connections 1024; }\nhttp {\n${temp}\n  include ${path.join(dir, "threadline.conf")};\n}\n`,
  );
  // Its stdout is a file, not a pipe: the site logs to /dev/stdout (as in a container), which nginx
  // opens by name, and Node's pipes are sockets, which cannot be opened that way.
  const accessLog = path.join(dir, "access.log");
  const stdout = fs.openSync(accessLog, "a");
  const child = spawn(
    NGINX,
    ["-p", dir, "-c", path.join(dir, "nginx.conf"), "-e", "stderr", "-g", `daemon off; pid ${path.join(dir, "nginx.pid")}; error_log stderr;`],
    { stdio: ["ignore", stdout, "pipe"] },
  );
  fs.closeSync(stdout);
  const spawned = new Promise<void>((resolve, reject) => {
    child.on("spawn", resolve);
    child.on("error", (err) => reject(new Error(`cannot run nginx (${err.message}): install it, e.g. sudo apt-get install -y nginx`)));
  });
  let errors = "";
  child.stderr!.on("data", (d: Buffer) => (errors += d));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const nginx: Nginx = {
    url,
    process: child,
    accessLog: () => fs.readFileSync(accessLog, "utf8").split("\n").filter(Boolean),
    output: () => errors,
    async stop() {
      // SIGTERM: a fast shutdown. A graceful one (SIGQUIT) would wait for the browser's event streams.
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  await spawned;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited during start:\n${errors}`);
    const ok = await fetch(`${url}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return nginx;
    if (Date.now() > deadline) {
      await nginx.stop();
      throw new Error(`nginx did not answer in 15 s:\n${errors}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
