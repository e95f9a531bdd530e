import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { type AgentGraph, agentGraphBuilder } from "../graph";
import { researchGraph } from "./research";
import type { GraphContext, GraphDefinition, RuntimeNodes } from "./types";

export type { CompilableGraph, GraphContext, GraphDefinition, RuntimeNodes } from "./types";

/** The built-in agent's graph: model → review → tools → model, with a step limit. */
export const chatGraph: GraphDefinition = {
  id: "chat",
  build: (c) => agentGraphBuilder(c),
};

/**
 * The graphs Threadline ships. A graph of your own goes here too (one import, one entry), or is
 * registered with registerGraph() before the first conversation; an agent names it by id.
 */
const BUILT_IN: GraphDefinition[] = [chatGraph, researchGraph];

export const DEFAULT_GRAPH = chatGraph.id;
const DEFAULT_NODES: RuntimeNodes = { answer: "model", tools: "tools" };

const registered = globalThis as unknown as { __threadlineGraphs?: Map<string, GraphDefinition> };
const graphs = () => (registered.__threadlineGraphs ??= new Map(BUILT_IN.map((g) => [g.id, g])));

/** A graph definition that cannot be used, in one line. */
export class GraphDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "GraphDefinitionError";
  }
}

/** Adds a graph by id (a second one with the same id is refused: ids name conversations' graphs). */
export function registerGraph(definition: GraphDefinition) {
  if (!definition || typeof definition.id !== "string" || typeof definition.build !== "function")
    throw new GraphDefinitionError("a graph definition must be { id: string, build(context) }");
  if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(definition.id))
    throw new GraphDefinitionError(`graph id ${JSON.stringify(definition.id)} must be lower-case letters, digits and dashes (at most 40)`);
  const existing = graphs().get(definition.id);
  if (existing && existing !== definition) throw new GraphDefinitionError(`graph id ${JSON.stringify(definition.id)} is already registered`);
  graphs().set(definition.id, definition);
}

export const graphIds = () => [...graphs().keys()];
export const findGraph = (id: string) => graphs().get(id) ?? null;

/** A compiled graph as the runtime drives it, with the nodes it writes as. */
export interface CompiledGraph {
  graph: AgentGraph;
  nodes: RuntimeNodes;
}

/**
 * Builds and compiles a registered graph with Threadline's checkpointer, and checks what the
 * runtime relies on: a `messages` channel, and the nodes it writes stopped answers as.
 */
export function compileGraph(id: string, context: GraphContext, checkpointer: BaseCheckpointSaver): CompiledGraph {
  const definition = findGraph(id);
  if (!definition) throw new GraphDefinitionError(`graph ${JSON.stringify(id)} is not registered (registered: ${graphIds().join(", ")})`);
  const nodes = definition.nodes ?? DEFAULT_NODES;
  const compiled = definition.build(context).compile({ checkpointer }) as AgentGraph & { channels?: Record<string, unknown> };
  const missing = [nodes.answer, nodes.tools].filter((n) => !(n in (compiled.nodes ?? {})));
  if (missing.length)
    throw new GraphDefinitionError(
      `graph ${JSON.stringify(id)} has no node ${missing.map((n) => JSON.stringify(n)).join(" or ")} (set its definition's nodes)`,
    );
  if (!compiled.channels || !("messages" in compiled.channels)) throw new GraphDefinitionError(`graph ${JSON.stringify(id)} has no "messages" channel`);
  return { graph: compiled, nodes };
}
