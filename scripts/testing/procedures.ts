import { TRPCError } from "@trpc/server";
import { appRouter } from "../../server/trpc/root";
import type { signedInCaller } from "./users";

export type Caller = Awaited<ReturnType<typeof signedInCaller>>["caller"];

/** Every procedure of the app's router, by its dotted path, with its kind. */
export const procedures = (): Record<string, "query" | "mutation" | "subscription"> =>
  Object.fromEntries(
    Object.entries(
      (appRouter as unknown as { _def: { procedures: Record<string, { _def: { type: "query" | "mutation" | "subscription" } }> } })._def.procedures,
    ).map(([path, p]) => [path, p._def.type]),
  );

/** Calls a procedure by path; a subscription is started and its first event awaited, then closed. */
export async function invoke(caller: Caller, path: string, input: unknown): Promise<unknown> {
  const [ns, name] = path.split(".") as [string, string];
  const fn = (caller as unknown as Record<string, Record<string, (input: unknown) => Promise<unknown>>>)[ns]![name]!;
  const result = await fn(input);
  if (result && typeof (result as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function") {
    const it = (result as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    try {
      await it.next();
    } finally {
      await it.return?.();
    }
  }
  return result;
}

/** The error a call ends with, or null if it succeeds. */
export async function outcome(caller: Caller, path: string, input: unknown): Promise<{ code: string; message: string } | null> {
  try {
    await invoke(caller, path, input);
    return null;
  } catch (err) {
    if (!(err instanceof TRPCError)) throw err;
    return { code: err.code, message: err.message };
  }
}
