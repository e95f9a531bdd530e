import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { config } from "@/server/config";

/**
 * `threadline.config.json`: the models, MCP servers and agents an operator adds without touching
 * code. It is checked once at start; a bad file stops the start with one line per problem, each
 * naming the JSON path and what is wrong. Keys never sit in the file: it names the environment
 * variables that hold them, and those are read here, at start, from the environment given.
 * Only operators write this file: no stdio command or URL ever comes from a user.
 */

export const CONFIG_FILE_NAME = "threadline.config.json";

/** Built-in tools an agent may list; the memory tools come with `memory: true` instead. */
export const BUILT_IN_TOOLS = ["calculator", "current_time"] as const;

const ID = /^[a-z0-9][a-z0-9-]{0,39}$/;
const id = (what: string) =>
  z.string({ error: `must be ${what} id: a string` }).regex(ID, `must be lower-case letters, digits and dashes (at most 40), such as docs-search`);
const envName = z
  .string({ error: "must be the name of an environment variable" })
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be the name of an environment variable, such as DOCS_TOKEN (the value itself never goes in this file)");
const httpUrl = z.string({ error: "must be a URL" }).refine((raw) => {
  try {
    return ["http:", "https:"].includes(new URL(raw).protocol);
  } catch {
    return false;
  }
}, "must be an http:// or https:// URL");
const milliseconds = (fallback: number, min: number, max: number) =>
  z
    .number({ error: "must be a number of milliseconds" })
    .int("must be a whole number of milliseconds")
    .min(min, `must be at least ${min} ms`)
    .max(max, `must be at most ${max} ms`)
    .default(fallback);

export const PROVIDERS = ["openai", "openai-compatible", "anthropic", "ollama", "offline"] as const;

const modelSchema = z.strictObject({
  id: id("a model"),
  provider: z.enum(PROVIDERS, { error: `must be one of ${PROVIDERS.join(", ")}` }),
  /** The provider's name for it, e.g. gpt-4o-mini; the offline model has none. */
  model: z.string().min(1, "must not be empty").optional(),
  baseUrl: httpUrl.optional(),
  apiKeyEnv: envName.optional(),
  /** What the UI shows; derived from the provider and model when left out. */
  label: z.string().min(1).max(60, "must be at most 60 characters").optional(),
});

const headerName = /^[A-Za-z0-9-]+$/;
const mcpServerSchema = z
  .strictObject({
    id: id("an MCP server"),
    stdio: z
      .strictObject({
        command: z.string({ error: "must be a command" }).min(1, "must not be empty"),
        args: z.array(z.string({ error: "must be a string" })).default([]),
        /** Names of the variables the child gets, beside a minimal PATH; it gets nothing else of Threadline's environment. */
        env: z.array(envName).default([]),
        cwd: z.string().min(1).optional(),
      })
      .optional(),
    http: z
      .strictObject({
        url: httpUrl,
        /** Header name → the variable holding its value, with an optional prefix such as "Bearer ". */
        headers: z
          .record(
            z.string().regex(headerName, "must be an HTTP header name"),
            z.strictObject(
              { env: envName, prefix: z.string().max(40).default("") },
              { error: 'must be { "env": "VARIABLE_NAME" } (a value never goes in this file)' },
            ),
          )
          .default({}),
      })
      .optional(),
    /** Trusted: a tool that declares `readOnlyHint` may run without approval under an `auto` policy. */
    trusted: z.boolean({ error: "must be true or false" }).default(false),
    timeoutMs: milliseconds(30_000, 100, 600_000),
    /** Longer results are cut to this many characters before the model reads them. */
    maxResultChars: z
      .number({ error: "must be a number of characters" })
      .int()
      .min(100, "must be at least 100")
      .max(1_000_000, "must be at most 1000000")
      .default(20_000),
  })
  .superRefine((s, ctx) => {
    if (Boolean(s.stdio) === Boolean(s.http)) ctx.addIssue({ code: "custom", message: 'must have exactly one of "stdio" or "http"' });
  });

export const APPROVAL_POLICIES = ["always", "never", "auto"] as const;
export type ApprovalPolicy = (typeof APPROVAL_POLICIES)[number];

const agentSchema = z.strictObject({
  id: id("an agent"),
  name: z.string({ error: "must be a name" }).min(1, "must not be empty").max(60, "must be at most 60 characters"),
  description: z.string().max(300, "must be at most 300 characters").default(""),
  systemPrompt: z.string().min(1, "must not be empty").max(20_000, "must be at most 20000 characters").optional(),
  /** A model id from `models`; left out, the model the environment chooses (OPENAI_API_KEY and the rest). */
  model: z.string().optional(),
  /** The models users may pick for this agent; by default only its model. */
  models: z.array(z.string()).optional(),
  tools: z.array(z.string({ error: "must be a tool name" })).default([...BUILT_IN_TOOLS]),
  approval: z.record(z.string(), z.enum(APPROVAL_POLICIES, { error: `must be one of ${APPROVAL_POLICIES.join(", ")}` })).default({}),
  maxToolRounds: z.number({ error: "must be a number" }).int("must be a whole number").min(1, "must be at least 1").max(50, "must be at most 50").default(8),
  memory: z.boolean({ error: "must be true or false" }).default(true),
  /** The registered graph the agent runs (server/agent/graphs): the built-in chat graph when left out. */
  graph: id("a graph").default("chat"),
});

const fileSchema = z.strictObject(
  {
    $schema: z.string().optional(),
    models: z.array(modelSchema, { error: "must be a list" }).default([]),
    mcpServers: z.array(mcpServerSchema, { error: "must be a list" }).default([]),
    agents: z.array(agentSchema, { error: "must be a list" }).default([]),
    /** The agent a new conversation gets; the first one when left out. */
    defaultAgent: z.string().optional(),
  },
  { error: "must be a JSON object" },
);

type FileShape = z.output<typeof fileSchema>;
export type ModelSpec = FileShape["models"][number] & { apiKey?: string };
export type McpServerSpec = FileShape["mcpServers"][number];
export type AgentSpec = FileShape["agents"][number] & { models: string[] };

/** The checked file: every cross-reference resolved, every named variable read. */
export interface ThreadlineFile {
  models: ModelSpec[];
  mcpServers: McpServerSpec[];
  agents: AgentSpec[];
  defaultAgent: string | null;
  /** The file's name, as its error lines begin. */
  fileName: string;
  /** Values of the variables the file names (keys, headers, stdio env), read once at start. */
  secrets: Record<string, string>;
}

/** A tool reference of an agent: a built-in, one MCP tool, or all of a server's. */
export type ToolRef = { kind: "built-in"; name: string } | { kind: "mcp"; server: string; tool: string | "*" };

export function parseToolRef(ref: string): ToolRef | null {
  if ((BUILT_IN_TOOLS as readonly string[]).includes(ref)) return { kind: "built-in", name: ref };
  const m = /^mcp:([a-z0-9][a-z0-9-]{0,39})\/(\*|[A-Za-z0-9_.-]{1,128})$/.exec(ref);
  return m ? { kind: "mcp", server: m[1]!, tool: m[2]! } : null;
}

/** A file that cannot start: one line per problem, each naming the JSON path. */
export class ConfigFileError extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join("\n"));
    this.name = "ConfigFileError";
  }
}

/** `agents[0].tools[2]` from zod's path. */
const jsonPath = (parts: readonly PropertyKey[]) =>
  parts.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join("") || "(the file)";

/** Checks a file's text; `env` holds the variables it names. Throws ConfigFileError. */
export function parseThreadlineFile(text: string, env: Record<string, string | undefined>, fileName = CONFIG_FILE_NAME): ThreadlineFile {
  const fail = (lines: string[]): never => {
    throw new ConfigFileError([...new Set(lines)].map((line) => `${fileName}: ${line}`));
  };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    fail([`is not valid JSON (${err instanceof Error ? err.message.split("\n")[0] : String(err)})`]);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    fail(
      parsed.error.issues.map((issue) =>
        issue.code === "unrecognized_keys"
          ? `${jsonPath(issue.path)} has an unknown key ${issue.keys.map((k) => JSON.stringify(k)).join(", ")}`
          : `${jsonPath(issue.path)} ${issue.message}`,
      ),
    );
  }
  const file = parsed.data!;
  const problems: string[] = [];
  const secrets: Record<string, string> = {};
  const needEnv = (at: string, name: string) => {
    const value = env[name];
    if (value === undefined || value === "") problems.push(`${at} names ${name}, which is not set in the environment`);
    else secrets[name] = value;
  };
  const unique = (list: { id: string }[], where: string) => {
    const seen = new Set<string>();
    list.forEach((item, i) => {
      if (seen.has(item.id)) problems.push(`${where}[${i}].id ${JSON.stringify(item.id)} is used twice`);
      seen.add(item.id);
    });
  };
  unique(file.models, "models");
  unique(file.mcpServers, "mcpServers");
  unique(file.agents, "agents");

  file.models.forEach((m, i) => {
    const at = `models[${i}]`;
    if (m.provider !== "offline" && !m.model) problems.push(`${at}.model must be set for provider ${m.provider}`);
    if ((m.provider === "openai-compatible" || m.provider === "ollama") && !m.baseUrl) problems.push(`${at}.baseUrl must be set for provider ${m.provider}`);
    if ((m.provider === "openai" || m.provider === "anthropic") && !m.apiKeyEnv)
      problems.push(`${at}.apiKeyEnv must name the variable holding the ${m.provider} key`);
    if (m.apiKeyEnv) needEnv(`${at}.apiKeyEnv`, m.apiKeyEnv);
  });
  file.mcpServers.forEach((s, i) => {
    s.stdio?.env.forEach((name, j) => needEnv(`mcpServers[${i}].stdio.env[${j}]`, name));
    for (const [header, { env: name }] of Object.entries(s.http?.headers ?? {})) needEnv(`mcpServers[${i}].http.headers.${header}.env`, name);
  });

  const modelIds = new Set(file.models.map((m) => m.id));
  const servers = new Set(file.mcpServers.map((s) => s.id));
  const agents: AgentSpec[] = file.agents.map((a, i) => {
    const at = `agents[${i}]`;
    if (a.model !== undefined && !modelIds.has(a.model)) problems.push(`${at}.model ${JSON.stringify(a.model)} is not the id of one of models`);
    const models = a.models ?? (a.model ? [a.model] : []);
    a.models?.forEach((m, j) => {
      if (!modelIds.has(m)) problems.push(`${at}.models[${j}] ${JSON.stringify(m)} is not the id of one of models`);
    });
    if (a.model && a.models && !a.models.includes(a.model)) problems.push(`${at}.models must include its model ${JSON.stringify(a.model)}`);
    a.tools.forEach((t, j) => {
      const ref = parseToolRef(t);
      if (!ref) problems.push(`${at}.tools[${j}] ${JSON.stringify(t)} must be ${BUILT_IN_TOOLS.join(", ")}, mcp:<server>/<tool> or mcp:<server>/*`);
      else if (ref.kind === "mcp" && !servers.has(ref.server)) problems.push(`${at}.tools[${j}] ${JSON.stringify(t)} names no server of mcpServers`);
    });
    for (const key of Object.keys(a.approval)) {
      const ref = parseToolRef(key);
      const covered = ref && a.tools.some((t) => t === key || (ref.kind === "mcp" && t === `mcp:${ref.server}/*`));
      if (!covered) problems.push(`${at}.approval.${key} is not one of the agent's tools`);
    }
    return { ...a, models };
  });
  if (file.defaultAgent !== undefined && !file.agents.some((a) => a.id === file.defaultAgent))
    problems.push(`defaultAgent ${JSON.stringify(file.defaultAgent)} is not the id of one of agents`);
  if (problems.length) fail(problems);
  const models = file.models.map((m) => ({ ...m, ...(m.apiKeyEnv && { apiKey: secrets[m.apiKeyEnv] }) }));
  return { models, mcpServers: file.mcpServers, agents, defaultAgent: file.defaultAgent ?? file.agents[0]?.id ?? null, fileName, secrets };
}

/**
 * Reads the file: the path in THREADLINE_CONFIG (which must exist), else `threadline.config.json`
 * in the working directory (the repository root), else none: null, and Threadline runs its
 * built-in agent exactly as without the file.
 */
export function loadThreadlineFile(configured: string | undefined, env: Record<string, string | undefined>, cwd = process.cwd()): ThreadlineFile | null {
  const file = path.resolve(cwd, configured ?? CONFIG_FILE_NAME);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    if (!configured && (err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new ConfigFileError([`THREADLINE_CONFIG names ${configured ?? file}, which cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})`]);
  }
  return parseThreadlineFile(text, env, configured ? path.basename(file) : CONFIG_FILE_NAME);
}

const cache = globalThis as unknown as { __threadlineFile?: ThreadlineFile | null };

/** The operator's file, read and checked once per process (at start, by the entry points). */
export function threadlineFile(): ThreadlineFile | null {
  if (cache.__threadlineFile === undefined) cache.__threadlineFile = loadThreadlineFile(config().THREADLINE_CONFIG, process.env);
  return cache.__threadlineFile;
}
