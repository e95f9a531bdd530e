"use server";
import { TRPCError } from "@trpc/server";
import { redirect } from "next/navigation";
import { getCaller } from "@/server/trpc/rsc";

/** "Continue in my account": the copy opens as the viewer's own conversation. */
export async function continueInMyAccount(shareId: string): Promise<{ error: string }> {
  let threadId: string;
  try {
    threadId = (await (await getCaller()).share.continue({ shareId })).id;
  } catch (err) {
    // The procedure's words (not found, signed out); never an internal error's cause.
    const refused = err instanceof TRPCError && err.code !== "INTERNAL_SERVER_ERROR";
    return { error: refused ? err.message : "Something went wrong on our side. Please try again." };
  }
  redirect(`/c/${threadId}`);
}
