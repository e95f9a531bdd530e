import pino, { type Logger } from "pino";
import pretty from "pino-pretty";
import { config } from "@/server/config";
import { errorFields } from "./error-fields";

type Listener = (line: string) => void;
const state = globalThis as unknown as { __threadlineLog?: { logger: Logger; listeners: Set<Listener> } };

/**
 * The server's structured log: JSON lines on stdout (pretty in development), level LOG_LEVEL
 * (default info). Message text, passwords, tokens and cookies are never logged: the app logs ids
 * and outcomes, these paths are redacted should any ever be passed, and an error is logged by
 * its class, code and constraint, never by a failed query's parameters (see errorFields).
 */
function create() {
  const listeners = new Set<Listener>();
  const { NODE_ENV, LOG_QUIET, LOG_LEVEL } = config();
  const dev = NODE_ENV === "development";
  // LOG_QUIET=1 (the test suite) keeps lines off stdout; captureLogs still sees them.
  const out = LOG_QUIET ? { write: () => true } : dev ? pretty({ colorize: true, translateTime: "HH:MM:ss.l", ignore: "pid,hostname" }) : process.stdout;
  const sink = {
    write(line: string) {
      for (const listen of listeners) listen(line);
      out.write(line);
    },
  };
  const logger = pino(
    {
      level: LOG_LEVEL,
      base: { service: "threadline" },
      serializers: { err: errorFields },
      redact: {
        paths: ["password", "*.password", "token", "*.token", "authorization", "*.authorization", "cookie", "*.cookie", "apiKey", "*.apiKey", "text", "*.text"],
        censor: "[redacted]",
      },
    },
    sink,
  );
  return { logger, listeners };
}

export const logger = (): Logger => (state.__threadlineLog ??= create()).logger;

/** Test hook: every log line written while it runs, parsed. */
export function captureLogs(): { lines: Record<string, unknown>[]; stop(): void } {
  const lines: Record<string, unknown>[] = [];
  const listen: Listener = (line) => lines.push(JSON.parse(line) as Record<string, unknown>);
  (state.__threadlineLog ??= create()).listeners.add(listen);
  return { lines, stop: () => state.__threadlineLog!.listeners.delete(listen) };
}
