import { initTRPC, StandardSchemaV1Error, TRPCError } from "@trpc/server";
import type { Session } from "next-auth";
import superjson from "superjson";
import { ZodError } from "zod";
import type { DB } from "@/db/client";
import type { Agent } from "@/server/agent";

export interface Context {
  db: DB;
  session: Session | null;
  /** Built on first use: most requests never touch the agent. */
  agent: () => Promise<Agent>;
}

type Issue = StandardSchemaV1Error["issues"][number];

/** Zod errors, or any Standard Schema validator's: both carry a list of issues. */
function inputIssues(cause: unknown): readonly Issue[] | null {
  return cause instanceof ZodError || cause instanceof StandardSchemaV1Error ? (cause.issues as readonly Issue[]) : null;
}

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  // Keep-alive pings hold SSE connections open through proxies; a silent stream is reconnected.
  sse: { ping: { enabled: true, intervalMs: 10_000 }, client: { reconnectAfterInactivityMs: 25_000 } },
  // Stack traces never leave the server, in any environment.
  isDev: false,
  errorFormatter({ shape, error }) {
    const issues = inputIssues(error.cause);
    return {
      ...shape,
      message: error.code === "INTERNAL_SERVER_ERROR" ? "Something went wrong on our side. Please try again." : shape.message,
      // Per-field messages, for forms that show them beside each field.
      data: { ...shape.data, fieldErrors: issues ? fieldErrors(issues) : null },
    };
  },
});

/** Input errors read "title: Title must be at most 200 characters", not a JSON dump of issues. */
const readableInputErrors = t.middleware(async ({ next }) => {
  const result = await next();
  const issue = result.ok ? undefined : inputIssues(result.error.cause)?.[0];
  if (!result.ok && issue) result.error.message = `${pathOf(issue) ? `${pathOf(issue)}: ` : ""}${issue.message}`;
  return result;
});

function pathOf(issue: Issue): string {
  return (issue.path ?? []).map((p) => String(typeof p === "object" ? p.key : p)).join(".");
}

function fieldErrors(issues: readonly Issue[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of issues) out[pathOf(issue) || "_"] ??= issue.message;
  return out;
}

export const createCallerFactory = t.createCallerFactory;
export const router = t.router;
export const publicProcedure = t.procedure.use(readableInputErrors);

export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  const userId = ctx.session?.user?.id;
  if (!userId) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue" });
  return next({ ctx: { ...ctx, userId } });
});
