import { eq } from "drizzle-orm";
import { z } from "zod";
import { users } from "@/db/schema";
import { deleteAccount } from "@/server/account/delete";
import { changePassword } from "@/server/account/password";
import { newPasswordSchema } from "@/server/auth/credentials";
import { endAllSessions } from "@/server/auth/sessions";
import { protectedProcedure, router } from "../init";

/** Account settings: the signed-in user's own account only; no procedure takes anyone's id. */
export const accountRouter = router({
  /** What the Account settings show: the email, and whether there is a password to change. */
  get: protectedProcedure.query(async ({ ctx }) => {
    const [row] = await ctx.db.select({ email: users.email, passwordHash: users.passwordHash }).from(users).where(eq(users.id, ctx.userId)).limit(1);
    return { email: row?.email ?? null, hasPassword: Boolean(row?.passwordHash) };
  }),

  /** Asks for the current password; every other session ends, this one stays signed in. */
  changePassword: protectedProcedure
    .input(
      z.object({
        currentPassword: z.string().min(1, "Enter your current password").max(1024, "The current password must be at most 1,024 characters"),
        newPassword: newPasswordSchema,
      }),
    )
    .mutation(async ({ ctx, input }) => {
      await changePassword(ctx.db, ctx.userId, input, ctx.session?.sid);
      return { changed: true };
    }),

  /** Every session of the user ends, on every instance, this one included. */
  signOutEverywhere: protectedProcedure.mutation(async ({ ctx }) => {
    await endAllSessions(ctx.db, ctx.userId);
    return { signedOut: true };
  }),

  /** Deletes the account and everything in it, once its email is typed to confirm. */
  delete: protectedProcedure.input(z.object({ email: z.string().max(254, "Email must be at most 254 characters") })).mutation(async ({ ctx, input }) => {
    await deleteAccount(ctx.db, ctx.userId, input.email);
    return { deleted: true };
  }),
});
