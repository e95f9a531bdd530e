import { type StructuredToolInterface, tool } from "@langchain/core/tools";
import { z } from "zod";
import type { DB } from "@/db/client";
import { MEMORY_KINDS } from "@/lib/memory";
import { embeddingOf, type Embedder } from "@/server/memory/embeddings";
import { memoryList } from "@/server/memory/prompt";
import { searchMemories } from "@/server/memory/recall";
import { addMemory, deleteMemory, updateMemory } from "@/server/memory/store";
import { memoryText } from "@/server/trpc/inputs";
import { metadataOf } from "./metadata";

/**
 * What the run tells the memory tools, in the graph config: whose memories (the signed-in user,
 * never the model's choice), whether this conversation may use memory at all, and where a new
 * memory comes from (the thread and the user's message the tools node answers).
 */
export interface MemoryRunConfig {
  user_id: string;
  thread_id?: string;
  /** "on" when the user's "Use memory" is on and the conversation is not temporary. */
  memory?: "on" | "off";
  source_message_id?: string;
}

function runOf(config: { configurable?: Record<string, unknown> } | undefined): MemoryRunConfig {
  const c = (config?.configurable ?? {}) as Partial<MemoryRunConfig>;
  if (typeof c.user_id !== "string") throw new Error("Memory needs the signed-in user");
  return c as MemoryRunConfig;
}

/** A call that slipped through while memory is off changes nothing and says so. */
const OFF = "Error: Memory is off for this conversation, so nothing was changed.";
const NO_SUCH = "Error: There is no memory with that id.";

const toolCallIdOf = (config: unknown) => (config as { toolCall?: { id?: string } }).toolCall?.id ?? crypto.randomUUID();

/** Names these tools for the model node, which offers none of them when memory is off. */
export const MEMORY_TOOL = { memory: true } as const;
export const isMemoryTool = (t: StructuredToolInterface) => Boolean(metadataOf(t).memory);

export const rememberSchema = z.object({
  text: memoryText.describe("What to remember, as a short sentence in the user's words, e.g. I prefer metric units"),
  kind: z.enum(MEMORY_KINDS).default("fact").describe("profile for stable preferences (name, language, units, tone); fact for anything else"),
  id: z.uuid("Not a valid memory id").optional().describe("To correct a memory you were given, its id; leave out to add a new memory"),
});

export interface MemoryToolDeps {
  db: DB;
  embedder?: Embedder | null;
}

/**
 * Saves a memory, or corrects one by id so that a correction replaces it rather than adding a
 * duplicate. Side-effecting, so it runs only once the user approves (see the graph's review node);
 * a replayed call finds the memory its first run saved.
 */
export const remember = (deps: MemoryToolDeps) =>
  tool((input, config) => saveMemory(deps, input, config), {
    name: "remember",
    description:
      "Remembers something about the user for later conversations, or corrects a memory by its id instead of adding a duplicate. The user approves, edits or rejects it first.",
    schema: rememberSchema,
    metadata: { requiresApproval: true, ...MEMORY_TOOL },
  });

async function saveMemory({ db, embedder }: MemoryToolDeps, { text, kind, id }: z.output<typeof rememberSchema>, config: unknown) {
  const run = runOf(config as { configurable?: Record<string, unknown> });
  if (run.memory !== "on") return OFF;
  const embedded = await embeddingOf(embedder, text);
  if (id) {
    const updated = await updateMemory(db, run.user_id, id, { text, kind, ...embedded });
    return updated ? `Updated the memory: ${JSON.stringify(updated.text)}` : NO_SUCH;
  }
  const saved = await addMemory(db, run.user_id, {
    kind,
    text,
    threadId: run.thread_id ?? null,
    messageId: run.source_message_id ?? null,
    toolCallId: toolCallIdOf(config),
    ...embedded,
  });
  return `Remembered: ${JSON.stringify(saved.text)}`;
}

export const forget = ({ db }: MemoryToolDeps) =>
  tool(
    async ({ id }, config) => {
      const run = runOf(config);
      if (run.memory !== "on") return OFF;
      const gone = await deleteMemory(db, run.user_id, id);
      return gone ? `Forgot: ${JSON.stringify(gone.text)}` : NO_SUCH;
    },
    {
      name: "forget",
      description: "Deletes one of the user's memories by its id. The user approves or rejects it first.",
      schema: z.object({ id: z.uuid("Not a valid memory id").describe("The memory's id, as given with it") }),
      metadata: { requiresApproval: true, ...MEMORY_TOOL },
    },
  );

export const MAX_RECALL_RESULTS = 20;

/** Read-only: searches the user's memories beyond those recalled for the message. */
export const recall = ({ db, embedder }: MemoryToolDeps) =>
  tool(
    async ({ query }, config) => {
      const run = runOf(config);
      if (run.memory !== "on") return OFF;
      return memoryList(await searchMemories(db.$client, run.user_id, query ?? "", MAX_RECALL_RESULTS, embedder));
    },
    {
      name: "recall",
      description: "Searches what you remember about the user, best match first; with no query, the newest memories. Read-only.",
      schema: z.object({ query: z.string().max(500).optional().describe("Words to look for; leave out to list the newest memories") }),
      metadata: MEMORY_TOOL,
    },
  );

/**
 * Calls to `save_note` that were waiting for approval when notes became memories: they still run
 * once approved, as a `remember` of a fact. The model is never offered it.
 */
export const legacySaveNote = (deps: MemoryToolDeps) =>
  tool(({ text }, config) => saveMemory(deps, { text, kind: "fact" }, config), {
    name: "save_note",
    description: "Replaced by remember.",
    schema: z.object({ text: memoryText }),
    metadata: { requiresApproval: true, ...MEMORY_TOOL, legacy: true },
  });

/**
 * Offered to the model: every tool but the ones kept only to finish calls made before an upgrade,
 * and the MCP tools whose server is down right now.
 */
export const offeredToModel = (t: StructuredToolInterface) => !metadataOf(t).legacy && !metadataOf(t).unavailable;
