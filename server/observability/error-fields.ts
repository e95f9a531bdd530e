import { DrizzleQueryError } from "drizzle-orm/errors";
import pg from "pg";

/** What a log line says of an error: enough to find and act on it, none of the user's data. */
export interface ErrorFields {
  type: string;
  code?: string | number;
  constraint?: string;
  table?: string;
  column?: string;
  status?: number;
  message?: string;
  stack?: string;
  cause?: ErrorFields;
}

const MAX_CAUSES = 5;

/**
 * The error's class. The production build minifies class names ("e"), so the database's own
 * classes are named outright, then an error's `name` when it set one, then its constructor's.
 */
function typeName(err: object): string {
  if (err instanceof DrizzleQueryError) return "DrizzleQueryError";
  if (err instanceof pg.DatabaseError) return "DatabaseError";
  const name = (err as { name?: unknown }).name;
  if (typeof name === "string" && name && name !== "Error") return name;
  const ctor = err.constructor?.name;
  return ctor && ctor !== "Object" ? ctor : "Error";
}

/**
 * The `err` of every log line. A failed query's message holds its parameters (the user's text),
 * and Postgres's own message and detail can quote the values it refused; so a database error is
 * told by its class, SQLSTATE code, constraint, table and column only. Any error's stack is kept
 * without its first line, which repeats the message.
 */
export function errorFields(err: unknown, depth = 0): ErrorFields {
  if (typeof err !== "object" || err === null) return { type: typeof err };
  const e = err as Partial<Record<keyof ErrorFields, unknown>> & { name?: unknown };
  const fromDatabase = err instanceof DrizzleQueryError || err instanceof pg.DatabaseError;
  const fields: ErrorFields = { type: typeName(err) };
  if (typeof e.code === "string" || typeof e.code === "number") fields.code = e.code;
  for (const key of ["constraint", "table", "column"] as const) if (typeof e[key] === "string") fields[key] = e[key];
  if (typeof e.status === "number") fields.status = e.status;
  if (!fromDatabase && typeof e.message === "string") fields.message = e.message;
  if (typeof e.stack === "string")
    fields.stack =
      e.stack
        .split("\n")
        .filter((line) => /^\s+at /.test(line))
        .join("\n") || undefined;
  if (e.cause !== undefined && depth < MAX_CAUSES) fields.cause = errorFields(e.cause, depth + 1);
  return fields;
}
