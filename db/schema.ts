import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import type { AdapterAccountType } from "next-auth/adapters";

// Auth.js tables, in the shape @auth/drizzle-adapter expects (see its pg schema docs).
export const users = pgTable("user", {
  id: text("id")
    .primaryKey()
    .$defaultFn(() => crypto.randomUUID()),
  name: text("name"),
  // Stored lower-cased by the app, so the unique constraint is case-insensitive in practice.
  email: text("email").unique(),
  emailVerified: timestamp("emailVerified", { mode: "date" }),
  image: text("image"),
  // Only credentials users have one; OAuth users sign in through their provider.
  passwordHash: text("password_hash"),
});

export const accounts = pgTable(
  "account",
  {
    userId: text("userId")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    type: text("type").$type<AdapterAccountType>().notNull(),
    provider: text("provider").notNull(),
    providerAccountId: text("providerAccountId").notNull(),
    refresh_token: text("refresh_token"),
    access_token: text("access_token"),
    expires_at: integer("expires_at"),
    token_type: text("token_type"),
    scope: text("scope"),
    id_token: text("id_token"),
    session_state: text("session_state"),
  },
  (t) => [primaryKey({ columns: [t.provider, t.providerAccountId] })],
);

export const sessions = pgTable("session", {
  sessionToken: text("sessionToken").primaryKey(),
  userId: text("userId")
    .notNull()
    .references(() => users.id, { onDelete: "cascade" }),
  expires: timestamp("expires", { mode: "date" }).notNull(),
});

export const verificationTokens = pgTable(
  "verificationToken",
  {
    identifier: text("identifier").notNull(),
    token: text("token").notNull(),
    expires: timestamp("expires", { mode: "date" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.identifier, t.token] })],
);

// A conversation. Its id is also the LangGraph thread_id of its checkpoints.
// Millisecond precision matches JS Date exactly, so keyset cursors round-trip.
export const threads = pgTable(
  "threads",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    title: text("title").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().default(sql`now()`),
    updatedAt: timestamp("updated_at", { withTimezone: true, precision: 3 }).notNull().default(sql`now()`),
  },
  // The sidebar query: one user's threads, newest activity first, keyset-paginated by (updated_at, id).
  (t) => [index("threads_user_updated_idx").on(t.userId, t.updatedAt.desc().nullsFirst(), t.id.desc().nullsFirst())],
);

export type Thread = typeof threads.$inferSelect;

export type RunStatus = "queued" | "running" | "interrupted" | "succeeded" | "failed" | "cancelled";
export const ACTIVE_RUN_STATUSES: RunStatus[] = ["queued", "running"];

/**
 * One answer being written (or written) in a thread. Postgres, not process memory, decides that a
 * thread has at most one active run, so the rule holds across every instance of the app.
 */
export const runs = pgTable(
  "runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    threadId: uuid("thread_id")
      .notNull()
      .references(() => threads.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    status: text("status").$type<RunStatus>().notNull().default("queued"),
    /** The user's message that started the run, kept until it is safely in a checkpoint; null for Continue. */
    input: jsonb("input").$type<{ id: string; text: string } | null>(),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().default(sql`now()`),
    startedAt: timestamp("started_at", { withTimezone: true, precision: 3 }),
    finishedAt: timestamp("finished_at", { withTimezone: true, precision: 3 }),
    error: text("error"),
    /** The instance executing the run; it refreshes heartbeat_at while it does. */
    ownerInstance: text("owner_instance"),
    heartbeatAt: timestamp("heartbeat_at", { withTimezone: true, precision: 3 }),
    cancelRequestedAt: timestamp("cancel_requested_at", { withTimezone: true, precision: 3 }),
    /** How many times an instance has taken the run up again after its owner disappeared. */
    recoveries: integer("recoveries").notNull().default(0),
    /** When the finished run's event log was cut down to its ending; the history holds the turn. */
    eventsPrunedAt: timestamp("events_pruned_at", { withTimezone: true, precision: 3 }),
  },
  (t) => [
    // At most one active run per thread: a second insert fails, and that is the CONFLICT users see.
    uniqueIndex("runs_one_active_per_thread").on(t.threadId).where(sql`status in ('queued', 'running')`),
    // The recovery sweep: active runs whose owner stopped sending heartbeats.
    index("runs_stale_idx").on(t.heartbeatAt).where(sql`status in ('queued', 'running')`),
    // Finished runs whose event log still waits to be pruned.
    index("runs_unpruned_idx").on(t.finishedAt).where(sql`events_pruned_at is null and finished_at is not null`),
  ],
);

/** A run's events in order, so that any instance, and any reconnecting client, can follow it. */
export const runEvents = pgTable(
  "run_events",
  {
    runId: uuid("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    seq: integer("seq").notNull(),
    event: jsonb("event").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().default(sql`now()`),
  },
  (t) => [primaryKey({ columns: [t.runId, t.seq] })],
);

export type Run = typeof runs.$inferSelect;
