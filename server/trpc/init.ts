import { initTRPC, StandardSchemaV1Error, TRPCError } from "@trpc/server";
import type { Session } from "next-auth";
import superjson from "superjson";
import { z, ZodError } from "zod";
import { type DB, isDatabaseUnavailable } from "@/db/client";
import type { AgentRegistry } from "@/server/agent";
import { logger } from "@/server/observability/log";
import { inSpan } from "@/server/observability/tracing";
import { DomainError } from "@/server/errors";
import { threadOf } from "@/server/threads/queries";
import { threadId } from "./inputs";

export interface Context {
  db: DB;
  session: Session | null;
  /** The instance's agents, built on first use: most requests never touch them. */
  agents: () => Promise<AgentRegistry>;
  /** Names the request in log lines (X-Request-Id when the proxy sends one). */
  requestId?: string;
}

type Issue = StandardSchemaV1Error["issues"][number];

/** Zod errors, or any Standard Schema validator's: both carry a list of issues. */
function inputIssues(cause: unknown): readonly Issue[] | null {
  return cause instanceof ZodError || cause instanceof StandardSchemaV1Error ? (cause.issues as readonly Issue[]) : null;
}

/**
 * What the client reads: the words we wrote (input issues, domain refusals), never a server
 * failure's cause, nor a parser's message about a request it could not read (not JSON, or what
 * the transformer refused: "Trying to deserialize unknown class …", "Maximum call stack size exceeded").
 */
function publicMessage(error: TRPCError, message: string): string {
  if (error.code === "INTERNAL_SERVER_ERROR") return "Something went wrong on our side. Please try again.";
  if (error.code === "PARSE_ERROR") return "Malformed request";
  const unread = error.code === "BAD_REQUEST" && error.cause !== undefined && !inputIssues(error.cause) && !(error.cause instanceof DomainError);
  return unread ? "Malformed request" : message;
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
      message: publicMessage(error, shape.message),
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
/** One log line per call: debug when it succeeds, info when it is refused, error when it fails. */
const logged = t.middleware(async ({ ctx, path, type, next }) => {
  const started = performance.now();
  const result = await inSpan(`trpc ${path}`, { "rpc.system": "trpc", "rpc.method": path, "threadline.request_id": ctx.requestId ?? "" }, async (span) => {
    const r = await next();
    if (!r.ok) span.setAttribute("trpc.error_code", r.error.code);
    return r;
  });
  const line = { requestId: ctx.requestId, userId: ctx.session?.user?.id, path, type, ms: Math.round(performance.now() - started) };
  if (result.ok) logger().debug(line, "procedure");
  else if (result.error.code === "INTERNAL_SERVER_ERROR") logger().error({ ...line, err: result.error.cause ?? result.error }, "procedure failed");
  else logger().info({ ...line, code: result.error.code }, "procedure refused");
  return result;
});

/** What each domain refusal is on the wire. */
const CODES = {
  "not-found": "NOT_FOUND",
  conflict: "CONFLICT",
  "rate-limited": "TOO_MANY_REQUESTS",
  unavailable: "SERVICE_UNAVAILABLE",
  invalid: "BAD_REQUEST",
} as const satisfies Record<DomainError["kind"], TRPCError["code"]>;

/** What every call answers while Postgres cannot be reached: a 503, so clients know to try again. */
export const DATABASE_UNREACHABLE = "Threadline can't reach its database right now. Try again in a moment.";

/**
 * The one place domain errors become tRPC errors, with the message the domain wrote for the user;
 * and a database outage becomes a 503 that says so, not an internal error.
 */
const domainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  const cause = result.ok ? null : result.error.cause;
  if (cause instanceof DomainError) throw new TRPCError({ code: CODES[cause.kind], message: cause.message, cause });
  if (cause && isDatabaseUnavailable(cause)) throw new TRPCError({ code: "SERVICE_UNAVAILABLE", message: DATABASE_UNREACHABLE, cause });
  return result;
});

export const publicProcedure = t.procedure.use(logged).use(readableInputErrors).use(domainErrors);

export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  const userId = ctx.session?.user?.id;
  if (!userId) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue" });
  return next({ ctx: { ...ctx, userId } });
});

/**
 * A procedure on one of the user's threads (input `threadId`): the thread is loaded first, and one
 * that is someone else's is NOT_FOUND exactly as one that does not exist.
 */
export const threadProcedure = protectedProcedure.input(z.object({ threadId })).use(async ({ ctx, input, next }) => {
  const thread = await threadOf(ctx.db, ctx.userId, input.threadId);
  return next({ ctx: { ...ctx, thread } });
});
