import { Invalid } from "@/server/errors";
import { type Agent, type AgentDefinition, type AgentDeps, type AssembleOptions, buildAgent } from "./assemble";
import { ConfigFileError, type ThreadlineFile } from "./config-file";
import { DEFAULT_GRAPH, findGraph, graphIds } from "./graphs";
import { chooseModel, modelFor, type ModelChoice } from "./model";

/** A conversation's choice as its row keeps it: null (or an id no longer configured) means the default. */
export interface AgentChoice {
  agentId?: string | null;
  modelId?: string | null;
}

/** An agent as the UI offers it. */
export interface AgentInfo {
  id: string;
  name: string;
  description: string;
  /** What it can use: built-in tool names, `memory`, and MCP tools as `<server>/<tool>`. */
  tools: string[];
  models: { id: string; label: string }[];
  defaultModel: string;
}

export interface AgentRegistry {
  defaultAgentId: string;
  agents: AgentInfo[];
  /**
   * The conversation's agent over its model, built once per agent × model and cached. An agent or
   * model no longer configured (the file changed since) falls back to the default: never a crash.
   */
  get(choice?: AgentChoice): Promise<Agent>;
  /** What a choice resolves to, with the same fallbacks as get. */
  resolve(choice?: AgentChoice): { agent: AgentInfo; modelId: string };
  /** A user's new choice: the agent must exist, the model must be one the agent allows. Throws Invalid. */
  check(choice: AgentChoice): void;
}

/** The built-in agent's id: without a file, conversations talk to it. */
export const BUILT_IN_AGENT = "assistant";
/** The model id of an agent without a file's models: the one the environment chooses (OPENAI_API_KEY and the rest). */
export const ENVIRONMENT_MODEL = "default";

interface Entry {
  def: AgentDefinition;
  info: AgentInfo;
  models: Map<string, { choice: ModelChoice; label: string }>;
}

/**
 * The agents Threadline ships, for an instance without a file's agents: today's assistant, and
 * each other built-in whose graph is registered (Research, from server/agent/graphs/research.ts).
 */
const BUILT_IN_AGENTS: Omit<AgentDefinition, "spec">[] = [
  { id: BUILT_IN_AGENT, name: "Assistant", description: "Answers, calculates and remembers what you ask it to.", graph: DEFAULT_GRAPH },
  {
    id: "research",
    name: "Research",
    description: "Plans, runs its tool calls in parallel, checks the results and retries what failed, then answers.",
    graph: "research",
  },
];
const BUILT_IN_TOOLS_SHOWN = ["calculator", "current_time", "memory"];

const shownTool = (ref: string) => (ref.startsWith("mcp:") ? ref.slice(4) : ref);

/**
 * The instance's agents. With agents in threadline.config.json: exactly those (a built-in graph
 * such as Research is had by naming it in an agent's `graph`). Without: the built-in agents.
 * Graph ids are checked here, once at start, with the file's one-line errors.
 */
export function createAgentRegistry(file: ThreadlineFile | null, deps: AgentDeps): AgentRegistry {
  checkAgentGraphs(file);
  const entries = new Map<string, Entry>();
  if (file?.agents.length) {
    file.agents.forEach((spec) => {
      const specs = spec.models.map((id) => file.models.find((m) => m.id === id)!);
      const models = new Map(
        specs.length
          ? specs.map((m) => {
              const choice = modelFor(m);
              return [m.id, { choice, label: choice.label }] as const;
            })
          : [[ENVIRONMENT_MODEL, { choice: chooseModel(), label: chooseModel().label }] as const],
      );
      const tools = [...spec.tools.map(shownTool), ...(spec.memory ? ["memory"] : [])];
      entries.set(spec.id, {
        def: { id: spec.id, name: spec.name, description: spec.description, graph: spec.graph, spec },
        info: infoOf(spec.id, spec.name, spec.description, tools, models, spec.model ?? [...models.keys()][0]!),
        models,
      });
    });
  } else {
    const choice = chooseModel();
    const models = new Map([[ENVIRONMENT_MODEL, { choice, label: choice.label }]]);
    for (const a of BUILT_IN_AGENTS.filter((b) => findGraph(b.graph)))
      entries.set(a.id, { def: { ...a, spec: null }, info: infoOf(a.id, a.name, a.description, BUILT_IN_TOOLS_SHOWN, models, ENVIRONMENT_MODEL), models });
  }
  const defaultAgentId = file?.agents.length ? (file.defaultAgent ?? file.agents[0]!.id) : BUILT_IN_AGENT;

  const resolveEntry = (choice: AgentChoice = {}) => {
    const entry = (choice.agentId && entries.get(choice.agentId)) || entries.get(defaultAgentId)!;
    const modelId = choice.modelId && entry.models.has(choice.modelId) ? choice.modelId : entry.info.defaultModel;
    return { entry, modelId };
  };
  const built = new Map<string, Promise<Agent>>();
  return {
    defaultAgentId,
    agents: [...entries.values()].map((e) => e.info),
    resolve(choice) {
      const { entry, modelId } = resolveEntry(choice);
      return { agent: entry.info, modelId };
    },
    get(choice) {
      const { entry, modelId } = resolveEntry(choice);
      const key = `${entry.def.id}\u0000${modelId}`;
      let agent = built.get(key);
      if (!agent) {
        const { choice: model, label } = entry.models.get(modelId)!;
        // The environment's model keeps recording its provider's name, as answers did before agents had ids.
        const answeredBy = { model: modelId === ENVIRONMENT_MODEL ? model.model : modelId, label };
        agent = buildAgent(entry.def, model, answeredBy, deps);
        // A failed build is not kept: the next conversation tries again.
        agent.catch(() => built.delete(key));
        built.set(key, agent);
      }
      return agent;
    },
    check(choice) {
      const agentId = choice.agentId ?? defaultAgentId;
      const entry = entries.get(agentId);
      if (!entry) throw new Invalid(`There is no agent "${agentId}"`);
      if (choice.modelId != null && !entry.models.has(choice.modelId))
        throw new Invalid(`${entry.info.name} cannot use the model "${choice.modelId}" (it can use ${[...entry.models.keys()].join(", ")})`);
    },
  };
}

/** Every agent of the file names a registered graph; else the start stops with one line per agent. */
export function checkAgentGraphs(file: ThreadlineFile | null) {
  const problems = (file?.agents ?? []).flatMap((spec, i) =>
    findGraph(spec.graph) ? [] : [`${file!.fileName}: agents[${i}].graph ${JSON.stringify(spec.graph)} is not a registered graph (${graphIds().join(", ")})`],
  );
  if (problems.length) throw new ConfigFileError(problems);
}

function infoOf(id: string, name: string, description: string, tools: string[], models: Entry["models"], defaultModel: string): AgentInfo {
  return { id, name, description, tools, models: [...models].map(([mid, m]) => ({ id: mid, label: m.label })), defaultModel };
}

/** The file's default agent over its default model (or the built-in agent): what a single-agent caller needs. */
export const assembleAgent = (o: AssembleOptions) => createAgentRegistry(o.file, o).get();
