import { z } from "zod";
import { searchConversations } from "@/server/search/queries";
import { protectedProcedure, router } from "../init";
import { searchText, timestamp } from "../inputs";

export const MAX_SEARCH_PAGE = 50;

export const searchRouter = router({
  /** The user's messages and conversation titles that match, best first, a page at a time. */
  conversations: protectedProcedure
    .input(
      z.object({
        query: searchText,
        limit: z.number().int().min(1).max(MAX_SEARCH_PAGE).default(20),
        // ts_rank gives a real between 0 and a few; anything a float4 holds is safe to compare.
        cursor: z.object({ rank: z.number().min(0).max(1e6), at: timestamp("The cursor"), id: z.uuid() }).nullish(),
      }),
    )
    .query(({ ctx, input }) => searchConversations(ctx.db, ctx.userId, input)),
});
