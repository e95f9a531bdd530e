import { tool } from "@langchain/core/tools";
import { desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { DB } from "@/db/client";
import { notes } from "@/db/schema";

/** Whose notes: the run passes the signed-in user in the graph config, never the model. */
function userOf(config: { configurable?: Record<string, unknown> } | undefined): string {
  const userId = config?.configurable?.user_id;
  if (typeof userId !== "string") throw new Error("Notes need the signed-in user");
  return userId;
}

export const MAX_NOTE_LENGTH = 2_000;

/** Side-effecting, so it runs only once the user approves (see the graph's review node). */
export const saveNote = (db: DB) =>
  tool(
    async ({ text }, config) => {
      const toolCallId = (config as { toolCall?: { id?: string } }).toolCall?.id ?? crypto.randomUUID();
      // A call replayed after a crash finds its note already saved: one note per tool call.
      await db
        .insert(notes)
        .values({ userId: userOf(config), text, toolCallId })
        .onConflictDoNothing();
      return `Saved the note: ${text}`;
    },
    {
      name: "save_note",
      description: "Saves a note for the user to remember later. The user approves, edits or rejects it first.",
      schema: z.object({
        text: z
          .string()
          .trim()
          .min(1, "The note cannot be empty")
          .max(MAX_NOTE_LENGTH, `A note can be at most ${MAX_NOTE_LENGTH} characters`)
          .describe("What to remember"),
      }),
      metadata: { requiresApproval: true },
    },
  );

export const listNotes = (db: DB) =>
  tool(
    async (_input, config) => {
      const rows = await db
        .select({ text: notes.text, createdAt: notes.createdAt })
        .from(notes)
        .where(eq(notes.userId, userOf(config)))
        .orderBy(desc(notes.createdAt), sql`${notes.id} desc`)
        .limit(50);
      if (rows.length === 0) return "No notes saved yet.";
      return rows.map((r) => `- ${r.text}`).join("\n");
    },
    {
      name: "list_notes",
      description: "Lists the notes the user has saved, newest first.",
      schema: z.object({}),
    },
  );
