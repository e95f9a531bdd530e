import { z } from "zod";
import { MEMORY_KINDS } from "@/lib/memory";
import { NotFound } from "@/server/errors";
import { embeddingOf } from "@/server/memory/embeddings";
import { deleteAllMemories, deleteMemory, listMemories, MEMORY_NOT_FOUND, memoriesByIds, setUsesMemory, updateMemory, usesMemory } from "@/server/memory/store";
import { protectedProcedure, router } from "../init";
import { memoryFilter, memoryText, timestamp } from "../inputs";

const memoryId = z.uuid("Not a valid memory id");

/** A change that found no row: the memory is gone, or was never the user's; both read the same. */
function found<T>(value: T | null): T {
  if (!value) throw new NotFound(MEMORY_NOT_FOUND);
  return value;
}

/** The Memory page: everything Threadline remembers about the signed-in user, to see, edit and delete. */
export const memoryRouter = router({
  list: protectedProcedure
    .input(
      z.object({
        query: memoryFilter.optional(),
        limit: z.number().int().min(1).max(100).default(50),
        cursor: z.object({ updatedAt: timestamp("The cursor"), id: z.uuid() }).nullish(),
      }),
    )
    .query(({ ctx, input }) => listMemories(ctx.db, ctx.userId, input)),

  /** The memories an answer used, by id: those deleted since (or anyone else's) are simply not there. */
  byIds: protectedProcedure
    .input(z.object({ ids: z.array(memoryId).max(100, "At most 100 memories at once") }))
    .query(({ ctx, input }) => memoriesByIds(ctx.db, ctx.userId, input.ids)),

  update: protectedProcedure.input(z.object({ id: memoryId, text: memoryText, kind: z.enum(MEMORY_KINDS).optional() })).mutation(async ({ ctx, input }) => {
    const { embedder } = await (await ctx.agents()).get();
    return found(await updateMemory(ctx.db, ctx.userId, input.id, { text: input.text, kind: input.kind, ...(await embeddingOf(embedder, input.text)) }));
  }),

  delete: protectedProcedure
    .input(z.object({ id: memoryId }))
    .mutation(async ({ ctx, input }) => ({ id: found(await deleteMemory(ctx.db, ctx.userId, input.id)).id })),

  deleteAll: protectedProcedure.mutation(async ({ ctx }) => ({ deleted: await deleteAllMemories(ctx.db, ctx.userId) })),

  /** "Use memory": off, the agent neither recalls nor remembers, in every conversation. */
  settings: protectedProcedure.query(async ({ ctx }) => ({ useMemory: await usesMemory(ctx.db, ctx.userId) })),

  setUseMemory: protectedProcedure.input(z.object({ useMemory: z.boolean() })).mutation(async ({ ctx, input }) => {
    await setUsesMemory(ctx.db, ctx.userId, input.useMemory);
    return { useMemory: input.useMemory };
  }),
});
