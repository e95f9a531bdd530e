import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigFileError, loadThreadlineFile, parseThreadlineFile } from "./config-file";

const env = { DOCS_TOKEN: "secret-docs", OPENAI_KEY: "sk-test", FIXTURE_LOG: "/tmp/x" };

/** The lines a file is refused with. */
function refusal(file: unknown, environment: Record<string, string> = env): string[] {
  try {
    parseThreadlineFile(typeof file === "string" ? file : JSON.stringify(file), environment);
  } catch (err) {
    if (err instanceof ConfigFileError) return err.lines;
    throw err;
  }
  throw new Error("accepted");
}

const docs = { id: "docs", http: { url: "https://docs.example.com/mcp", headers: { Authorization: { env: "DOCS_TOKEN", prefix: "Bearer " } } } };
const agent = { id: "helper", name: "Helper", tools: ["calculator", "mcp:docs/*"] };

describe("threadline.config.json", () => {
  it("accepts a complete file, reading the variables it names and filling in the defaults", () => {
    const file = parseThreadlineFile(
      JSON.stringify({
        models: [
          { id: "fast", provider: "openai", model: "gpt-4o-mini", apiKeyEnv: "OPENAI_KEY" },
          { id: "demo", provider: "offline" },
        ],
        mcpServers: [docs, { id: "files", stdio: { command: "/usr/bin/node", args: ["server.js"], env: ["FIXTURE_LOG"] }, trusted: true }],
        agents: [{ ...agent, model: "fast", models: ["fast", "demo"], approval: { "mcp:docs/search": "auto" }, memory: false }],
      }),
      env,
    );
    expect(file.defaultAgent).toBe("helper");
    expect(file.models[0]!.apiKey).toBe("sk-test");
    expect(file.secrets).toEqual({ OPENAI_KEY: "sk-test", DOCS_TOKEN: "secret-docs", FIXTURE_LOG: "/tmp/x" });
    expect(file.mcpServers.map((s) => [s.id, s.trusted, s.timeoutMs, s.maxResultChars])).toEqual([
      ["docs", false, 30_000, 20_000],
      ["files", true, 30_000, 20_000],
    ]);
    expect(file.agents[0]).toMatchObject({ maxToolRounds: 8, memory: false, models: ["fast", "demo"], description: "" });
  });

  // Each kind of mistake, and the one line that names where it is and what is wrong.
  it.each<[string, unknown, string]>([
    ["not JSON", "{ models: [", "is not valid JSON"],
    ["not an object", [], "(the file) must be a JSON object"],
    ["an unknown key", { agent: [] }, '(the file) has an unknown key "agent"'],
    ["a list that is not one", { models: {} }, "models must be a list"],
    [
      "a bad id",
      { models: [{ id: "Fast Model", provider: "offline" }] },
      "models[0].id must be lower-case letters, digits and dashes (at most 40), such as docs-search",
    ],
    [
      "an unknown provider",
      { models: [{ id: "m", provider: "gemini" }] },
      "models[0].provider must be one of openai, openai-compatible, anthropic, ollama, offline",
    ],
    [
      "a model without its name",
      { models: [{ id: "m", provider: "ollama", baseUrl: "http://localhost:11434" }] },
      "models[0].model must be set for provider ollama",
    ],
    [
      "a compatible server without its URL",
      { models: [{ id: "m", provider: "openai-compatible", model: "x" }] },
      "models[0].baseUrl must be set for provider openai-compatible",
    ],
    ["a key in the file", { models: [{ id: "m", provider: "openai", model: "x", apiKey: "sk-1" }] }, 'models[0] has an unknown key "apiKey"'],
    [
      "a provider without its key variable",
      { models: [{ id: "m", provider: "anthropic", model: "x" }] },
      "models[0].apiKeyEnv must name the variable holding the anthropic key",
    ],
    [
      "a key variable that is not set",
      { models: [{ id: "m", provider: "openai", model: "x", apiKeyEnv: "NOPE_KEY" }] },
      "models[0].apiKeyEnv names NOPE_KEY, which is not set in the environment",
    ],
    [
      "a bad variable name",
      { mcpServers: [{ id: "s", stdio: { command: "x", env: ["not a name"] } }] },
      "mcpServers[0].stdio.env[0] must be the name of an environment variable, such as DOCS_TOKEN (the value itself never goes in this file)",
    ],
    ["a server with neither transport", { mcpServers: [{ id: "s" }] }, 'mcpServers[0] must have exactly one of "stdio" or "http"'],
    [
      "a server with both",
      { mcpServers: [{ id: "s", stdio: { command: "x" }, http: { url: "http://a" } }] },
      'mcpServers[0] must have exactly one of "stdio" or "http"',
    ],
    ["a URL that is not http", { mcpServers: [{ id: "s", http: { url: "file:///etc/passwd" } }] }, "mcpServers[0].http.url must be an http:// or https:// URL"],
    [
      "a header value in the file",
      { mcpServers: [{ id: "s", http: { url: "http://a", headers: { Authorization: "Bearer x" } } }] },
      'mcpServers[0].http.headers.Authorization must be { "env": "VARIABLE_NAME" } (a value never goes in this file)',
    ],
    [
      "a header variable that is not set",
      { mcpServers: [{ id: "s", http: { url: "http://a", headers: { "X-Key": { env: "MISSING" } } } }] },
      "mcpServers[0].http.headers.X-Key.env names MISSING, which is not set in the environment",
    ],
    ["a timeout too short", { mcpServers: [{ id: "s", stdio: { command: "x" }, timeoutMs: 5 }] }, "mcpServers[0].timeoutMs must be at least 100 ms"],
    ["a duplicate id", { mcpServers: [docs, docs] }, 'mcpServers[1].id "docs" is used twice'],
    ["an agent without a name", { agents: [{ id: "a" }] }, "agents[0].name must be a name"],
    ["an unknown model", { agents: [{ ...agent, tools: [], model: "gpt" }] }, 'agents[0].model "gpt" is not the id of one of models'],
    [
      "a tool that is no tool",
      { agents: [{ ...agent, tools: ["shell"] }] },
      'agents[0].tools[0] "shell" must be calculator, current_time, mcp:<server>/<tool> or mcp:<server>/*',
    ],
    ["a tool of no server", { agents: [{ ...agent, tools: ["mcp:wiki/search"] }] }, 'agents[0].tools[0] "mcp:wiki/search" names no server of mcpServers'],
    [
      "an unknown policy",
      { mcpServers: [docs], agents: [{ ...agent, approval: { "mcp:docs/*": "sometimes" } }] },
      "agents[0].approval.mcp:docs/* must be one of always, never, auto",
    ],
    [
      "a policy for a tool it lacks",
      { mcpServers: [docs], agents: [{ ...agent, approval: { current_time: "always" } }] },
      "agents[0].approval.current_time is not one of the agent's tools",
    ],
    ["too many tool rounds", { agents: [{ ...agent, tools: [], maxToolRounds: 500 }] }, "agents[0].maxToolRounds must be at most 50"],
    ["an unknown default agent", { agents: [{ ...agent, tools: [] }], defaultAgent: "other" }, 'defaultAgent "other" is not the id of one of agents'],
  ])("refuses %s with one line", (_kind, file, line) => {
    const lines = refusal(file);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.startsWith(`threadline.config.json: ${line}`)).toBe(true);
    expect(lines[0]).not.toContain("\n");
  });

  it("names every problem, one line each, and never a secret's value", () => {
    const lines = refusal({ models: [{ id: "m", provider: "openai", apiKeyEnv: "OPENAI_KEY" }], agents: [{ id: "a", name: "A", tools: ["mcp:x/*"] }] });
    expect(lines).toEqual([
      "threadline.config.json: models[0].model must be set for provider openai",
      'threadline.config.json: agents[0].tools[0] "mcp:x/*" names no server of mcpServers',
    ]);
    expect(lines.join()).not.toContain("sk-test");
  });

  it("accepts the README's complete example", () => {
    const readme = fs.readFileSync(path.join(import.meta.dirname, "..", "..", "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Agents, models and MCP servers"));
    const example = section.slice(section.indexOf("```json") + 7, section.indexOf("```", section.indexOf("```json") + 7));
    const file = parseThreadlineFile(example, { OPENAI_API_KEY: "a", ANTHROPIC_API_KEY: "b", FILES_LOG_LEVEL: "c", DOCS_TOKEN: "d" });
    expect([file.models.length, file.mcpServers.length, file.defaultAgent]).toEqual([5, 2, "assistant"]);
  });

  it("runs without a file, but refuses a THREADLINE_CONFIG that names a missing one", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tl-config-"));
    expect(loadThreadlineFile(undefined, env, dir)).toBeNull();
    expect(() => loadThreadlineFile("missing.json", env, dir)).toThrow("THREADLINE_CONFIG names missing.json, which cannot be read (ENOENT)");
    fs.writeFileSync(path.join(dir, "threadline.config.json"), JSON.stringify({ agents: [{ ...agent, tools: [] }] }));
    expect(loadThreadlineFile(undefined, env, dir)?.defaultAgent).toBe("helper");
  });
});
