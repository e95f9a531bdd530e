import { z } from "zod";
import { CLIENT_BATCH_SIZE } from "@/lib/limits";
import { DEFAULT_ATTACHMENT_MAX_BYTES, DEFAULT_ATTACHMENTS_PER_MESSAGE, MAX_ATTACHMENTS_PER_MESSAGE } from "@/lib/attachments";

/**
 * Every environment variable Threadline reads, in one schema. It is parsed once at start (by
 * `npm run dev` / `npm start` before Next starts, and by the server's instrumentation), and every
 * module takes its settings from `config()`, never from `process.env`. A bad value stops the start
 * with one line per variable that says what is wrong and what is allowed. An empty value counts as
 * unset. The README's configuration table lists exactly these variables (a test holds them to it).
 */

const unset = (raw: string | undefined): raw is undefined => raw === undefined || raw.trim() === "";

/** A count in the unit its name gives (…_MS, …_BYTES, …_TOKENS). */
function wholeNumber(unit: string, fallback: number, { min = 1, max = Number.MAX_SAFE_INTEGER, note = "" } = {}) {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (unset(raw)) return fallback;
      const value = raw.trim();
      if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
        ctx.addIssue({ code: "custom", message: `must be a whole number${unit ? ` of ${unit}` : ""}${min === 0 ? ", 0 or more" : ""}${note}` });
        return z.NEVER;
      }
      return Number(value);
    });
}

function url(example: string, protocols: string[]) {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (unset(raw)) return undefined;
      let parsed: URL | null = null;
      try {
        parsed = new URL(raw.trim());
      } catch {
        // reported below
      }
      if (!parsed || !protocols.includes(parsed.protocol)) {
        ctx.addIssue({ code: "custom", message: `must be a URL such as ${example}` });
        return z.NEVER;
      }
      return raw.trim();
    });
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) {
  return z
    .string()
    .optional()
    .transform((raw, ctx): T[number] => {
      if (unset(raw)) return fallback;
      if (!values.includes(raw.trim())) {
        ctx.addIssue({ code: "custom", message: `must be one of ${values.join(", ")}` });
        return z.NEVER;
      }
      return raw.trim() as T[number];
    });
}

/** One of `values`, or undefined when unset (the feature it chooses is off). */
function optionalOneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z
    .string()
    .optional()
    .transform((raw, ctx): T[number] | undefined => {
      if (unset(raw)) return undefined;
      if (!values.includes(raw.trim())) {
        ctx.addIssue({ code: "custom", message: `must be one of ${values.join(", ")} (or unset)` });
        return z.NEVER;
      }
      return raw.trim() as T[number];
    });
}

function flag() {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (unset(raw)) return false;
      if (["1", "true"].includes(raw.trim())) return true;
      if (["0", "false"].includes(raw.trim())) return false;
      ctx.addIssue({ code: "custom", message: "must be 1 or 0" });
      return z.NEVER;
    });
}

const text = () =>
  z
    .string()
    .optional()
    .transform((raw) => (unset(raw) ? undefined : raw));

const textOr = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((raw) => (unset(raw) ? fallback : raw));

function host() {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (unset(raw)) return undefined;
      if (!/^[\w.:-]+$/.test(raw.trim())) {
        ctx.addIssue({ code: "custom", message: "must be a host name or address, such as 127.0.0.1 or 0.0.0.0" });
        return z.NEVER;
      }
      return raw.trim();
    });
}

const HTTP = ["http:", "https:"];

/** The variables of the README's configuration table. */
export const configSchema = z
  .object({
    DATABASE_URL: url("postgres://user:password@host:5432/db", ["postgres:", "postgresql:"]),
    DATABASE_DIRECT_URL: url("postgres://user:password@host:5432/db", ["postgres:", "postgresql:"]),
    THREADLINE_DATA_DIR: textOr(".data"),
    DATABASE_POOL_MAX: wholeNumber("connections", 10),
    DATABASE_CONNECT_TIMEOUT_MS: wholeNumber("milliseconds", 10_000),
    DATABASE_STATEMENT_TIMEOUT_MS: wholeNumber("milliseconds", 30_000, { min: 0, note: " (0: no limit)" }),
    DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: wholeNumber("milliseconds", 60_000, { min: 0, note: " (0: no limit)" }),
    DB_OUTAGE_GRACE_MS: wholeNumber("milliseconds", 60_000),
    AUTH_SECRET: text(),
    AUTH_SECRET_1: text(),
    AUTH_SECRET_2: text(),
    AUTH_SECRET_3: text(),
    AUTH_URL: url("https://chat.example.com", HTTP),
    SESSION_MAX_AGE_SECONDS: wholeNumber("seconds", 2_592_000, { min: 60 }),
    SESSION_RECHECK_SECONDS: wholeNumber("seconds", 60, { min: 0 }),
    AUTH_GITHUB_ID: text(),
    AUTH_GITHUB_SECRET: text(),
    OPENAI_API_KEY: text(),
    OPENAI_BASE_URL: url("http://localhost:11434/v1", HTTP),
    ANTHROPIC_API_KEY: text(),
    OLLAMA_BASE_URL: url("http://localhost:11434", HTTP),
    LLM_MODEL: text(),
    MODEL_TIMEOUT_MS: wholeNumber("milliseconds", 60_000),
    OFFLINE_MODEL_DELAY_MS: wholeNumber("milliseconds", 30, { min: 0 }),
    CONTEXT_BUDGET_TOKENS: wholeNumber("tokens", 8_000),
    MEMORY_BUDGET_TOKENS: wholeNumber("tokens", 800),
    ATTACHMENT_MAX_BYTES: wholeNumber("bytes", DEFAULT_ATTACHMENT_MAX_BYTES, { max: 100 * 1024 * 1024, note: " up to 104857600" }),
    ATTACHMENTS_PER_MESSAGE: wholeNumber("files", DEFAULT_ATTACHMENTS_PER_MESSAGE, {
      max: MAX_ATTACHMENTS_PER_MESSAGE,
      note: ` up to ${MAX_ATTACHMENTS_PER_MESSAGE}`,
    }),
    LLM_VISION: oneOf(["auto", "on", "off"], "auto"),
    ATTACHMENT_UPLOADS_PER_HOUR: wholeNumber("uploads", 200, { min: 0, note: " (0 turns the limit off)" }),
    EMBEDDINGS_PROVIDER: optionalOneOf(["openai", "openai-compatible", "ollama"]),
    EMBEDDINGS_MODEL: text(),
    EMBEDDINGS_BASE_URL: url("http://localhost:11434", HTTP),
    CHECKPOINTER: oneOf(["threadline", "stock"], "threadline"),
    CHECKPOINT_RETENTION: oneOf(["turn", "all"], "turn"),
    THREADLINE_CONFIG: text(),
    STREAM_COALESCE_MS: wholeNumber("milliseconds", 50, { min: 0 }),
    // Read by the launcher (scripts/lib/next-node-flags.ts), which starts Next with it.
    HEAP_GROWING_PERCENT: wholeNumber("percent", 0, { min: 0, max: 1_000, note: " up to 1000 (0 leaves the heap's growth to V8)" }),
    RUN_HEARTBEAT_MS: wholeNumber("milliseconds", 2_000),
    RUN_STALE_AFTER_MS: wholeNumber("milliseconds", 10_000),
    RUN_SWEEP_MS: wholeNumber("milliseconds", 3_000),
    RUN_EVENTS_RETENTION_MS: wholeNumber("milliseconds", 3_600_000),
    DRAIN_TIMEOUT_MS: wholeNumber("milliseconds", 20_000),
    MESSAGE_RATE_PER_MINUTE: wholeNumber("messages", 20, { min: 0, note: " (0 turns the limit off)" }),
    MESSAGE_RATE_PER_HOUR: wholeNumber("messages", 300, { min: 0, note: " (0 turns the limit off)" }),
    THREAD_RATE_PER_MINUTE: wholeNumber("conversations", 10, { min: 0, note: " (0 turns the limit off)" }),
    THREAD_RATE_PER_HOUR: wholeNumber("conversations", 100, { min: 0, note: " (0 turns the limit off)" }),
    SIGNIN_FAILURES_PER_EMAIL_IP: wholeNumber("attempts", 10, { min: 0, note: " (0 turns the limit off)" }),
    SIGNIN_FAILURES_PER_EMAIL: wholeNumber("attempts", 50, { min: 0, note: " (0 turns the limit off)" }),
    SIGNIN_FAILURES_PER_IP: wholeNumber("attempts", 100, { min: 0, note: " (0 turns the limit off)" }),
    SIGNUP_ATTEMPTS_PER_EMAIL: wholeNumber("attempts", 5, { min: 0, note: " (0 turns the limit off)" }),
    SIGNUP_ATTEMPTS_PER_IP: wholeNumber("attempts", 20, { min: 0, note: " (0 turns the limit off)" }),
    PASSWORD_HASH_CONCURRENCY: wholeNumber("hashes", 2),
    PASSWORD_HASH_QUEUE: wholeNumber("hashes", 4, { min: 0 }),
    TRPC_MAX_BODY_BYTES: wholeNumber("bytes", 1_048_576),
    IMPORT_MAX_BYTES: wholeNumber("bytes", 26_214_400),
    // Read by the front door (server/security/front-door.mjs), which parses them the same way; checked here at start.
    TRUSTED_PROXY_HOPS: wholeNumber("proxies", 0, { min: 0 }),
    HSTS_MAX_AGE: wholeNumber("seconds", 15_552_000, { min: 0, note: " (0 sends no Strict-Transport-Security)" }),
    TRPC_MAX_BATCH_SIZE: wholeNumber("calls", 20, { min: CLIENT_BATCH_SIZE, note: ` from ${CLIENT_BATCH_SIZE} (what the app's own pages send at most)` }),
    LOG_LEVEL: oneOf(["fatal", "error", "warn", "info", "debug", "trace", "silent"], "info"),
    LOG_QUIET: flag(),
    METRICS_TOKEN: text(),
    OTEL_EXPORTER_OTLP_ENDPOINT: url("http://localhost:4318", HTTP),
    OTEL_SERVICE_NAME: textOr("threadline"),
    HOST: host(),
    PORT: wholeNumber("", 3000, { max: 65_535, note: " from 1 to 65535" }),
  })
  .superRefine((c, ctx) => {
    if (c.DATABASE_DIRECT_URL && !c.DATABASE_URL)
      ctx.addIssue({ code: "custom", path: ["DATABASE_DIRECT_URL"], message: "is the way around the pooler at DATABASE_URL, which must be set too" });
    if (c.EMBEDDINGS_PROVIDER === "openai" && !c.OPENAI_API_KEY)
      ctx.addIssue({ code: "custom", path: ["OPENAI_API_KEY"], message: "must be set when EMBEDDINGS_PROVIDER is openai" });
    // An OpenAI-compatible server has no model everyone has, nor an address anyone could guess.
    if (c.EMBEDDINGS_PROVIDER !== "openai-compatible") return;
    if (!c.EMBEDDINGS_MODEL) ctx.addIssue({ code: "custom", path: ["EMBEDDINGS_MODEL"], message: "must be set when EMBEDDINGS_PROVIDER is openai-compatible" });
    if (!c.EMBEDDINGS_BASE_URL && !c.OPENAI_BASE_URL)
      ctx.addIssue({
        code: "custom",
        path: ["EMBEDDINGS_BASE_URL"],
        message: "(or OPENAI_BASE_URL) must be set when EMBEDDINGS_PROVIDER is openai-compatible",
      });
  });

/** Variables Next.js sets or reads for itself; the app only looks at them. Not in the README's table. */
const frameworkSchema = z.object({
  NODE_ENV: z.string().optional(),
  /** Set by `npm start`: the app, not Next, handles SIGTERM (it drains running answers first). */
  NEXT_MANUAL_SIG_HANDLE: flag(),
});

export type Config = z.output<typeof configSchema> & z.output<typeof frameworkSchema>;

/** A configuration that cannot start: one line per bad variable, naming it and what it must be. */
export class ConfigError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join("\n"));
    this.name = "ConfigError";
  }
}

/** Parses an environment (process.env by default) into the app's settings, or throws ConfigError. */
export function parseConfig(env: Record<string, string | undefined> = process.env): Config {
  const ours = configSchema.safeParse(env);
  const framework = frameworkSchema.safeParse(env);
  const issues = [...(ours.error?.issues ?? []), ...(framework.error?.issues ?? [])];
  if (issues.length) {
    const lines = issues.map((issue) => {
      const name = String(issue.path[0]);
      // A URL may carry a password: it stays out of the message.
      const given = name.endsWith("_URL") ? env[name]?.replace(/\/\/[^@/]*@/, "//***@") : env[name];
      return `${name} ${issue.message}, got ${JSON.stringify(given)}`;
    });
    throw new ConfigError([...new Set(lines)]);
  }
  return { ...ours.data!, ...framework.data! };
}

// On globalThis: Next may load this module more than once (one copy per bundle); they share one parse.
const state = globalThis as unknown as { __threadlineConfig?: Config };

/** The settings, parsed from process.env on first use (at start, by the entry points). */
export function config(): Config {
  return (state.__threadlineConfig ??= parseConfig());
}

/** Tests: run with some settings changed; returns the function that restores them. */
export function overrideConfig(values: Partial<Config>): () => void {
  const before = config();
  state.__threadlineConfig = { ...before, ...values };
  return () => {
    state.__threadlineConfig = before;
  };
}
