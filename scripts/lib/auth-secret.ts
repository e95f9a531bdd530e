import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Config } from "../../server/config";

/**
 * AUTH_SECRET signs session cookies. Production must supply its own (every instance the same);
 * development generates one once and keeps it under the data dir so sessions survive restarts.
 */
export function resolveAuthSecret(mode: "dev" | "start", { AUTH_SECRET, THREADLINE_DATA_DIR }: Config): string {
  if (AUTH_SECRET) return AUTH_SECRET;
  if (mode === "start") {
    throw new Error("AUTH_SECRET is required in production. Generate one with `openssl rand -base64 33` and set it in the environment.");
  }
  const file = path.join(path.resolve(THREADLINE_DATA_DIR), "auth-secret");
  if (fs.existsSync(file)) return fs.readFileSync(file, "utf8").trim();
  const secret = randomBytes(33).toString("base64");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, secret + "\n", { mode: 0o600 });
  return secret;
}
