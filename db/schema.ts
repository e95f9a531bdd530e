import { type SQL, sql } from "drizzle-orm";
import { boolean, check, customType, index, integer, jsonb, pgTable, primaryKey, real, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import type { AdapterAccountType } from "next-auth/adapters";
import type { ApprovalStatus } from "../lib/messages";
import { MAX_FEEDBACK_COMMENT, type Rating } from "../lib/feedback";
import { MAX_MEMORY_LENGTH, type MemoryKind } from "../lib/memory";
import type { SharedMessage } from "../lib/share";
import type { AttachmentKind, AttachmentRef } from "../lib/attachments";

/**
 * The one text search configuration of every tsvector and tsquery, so that what is stored and what
 * is asked are parsed and stemmed alike. English: stemming lets "deploy" find "deploying" and
 * "deployment", and its stop words keep "the" and "is" out of the index (smaller, and a query of
 * common words cannot turn into a scan of everything). Text in other languages still matches word
 * for word, since both sides go through the same rules; only their stemming is missing.
 */
export const TEXT_SEARCH_CONFIG = "english";
/** TEXT_SEARCH_CONFIG as SQL, for queries: the config named the same way as in the indexed columns. */
export const searchConfig = sql.raw(`'${TEXT_SEARCH_CONFIG}'::regconfig`);

const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

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
  /** The Memory page's "Use memory" switch: off, the agent neither recalls nor remembers. */
  useMemory: boolean("use_memory").notNull().default(true),
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
    /** A temporary chat, chosen when it is created: it neither reads nor writes memory (it is still saved). */
    temporary: boolean("temporary").notNull().default(false),
    /** The agent of threadline.config.json it talks to, chosen by its first message; null: the default agent. */
    agentId: text("agent_id"),
    /** The model chosen in the header, from the next message on; null: the agent's default model. */
    modelId: text("model_id"),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 })
      .notNull()
      .default(sql`now()`),
    updatedAt: timestamp("updated_at", { withTimezone: true, precision: 3 })
      .notNull()
      .default(sql`now()`),
    /** The title for search, weighted A: a conversation named for the words ranks above a message that has them. */
    titleSearch: tsvector("title_search")
      .notNull()
      .generatedAlwaysAs(sql`setweight(to_tsvector(${searchConfig}, title), 'A')`),
  },
  // The search index on (user_id, title_search) needs btree_gin: it is made in the migration's custom part.
  // The sidebar query: one user's threads, newest activity first, keyset-paginated by (updated_at, id).
  (t) => [index("threads_user_updated_idx").on(t.userId, t.updatedAt.desc().nullsFirst(), t.id.desc().nullsFirst())],
);

export type Thread = typeof threads.$inferSelect;

/** Paused: the agent waits for the user to approve an action; the decision starts the next run. */
export type RunStatus = "running" | "interrupted" | "succeeded" | "failed" | "cancelled" | "paused";
/** A run holds its thread's one answering slot while it is in one of these; every other status is an ending. */
export const ACTIVE_RUN_STATUSES: RunStatus[] = ["running"];
const isActive = sql.raw(`status in (${ACTIVE_RUN_STATUSES.map((s) => `'${s}'`).join(", ")})`);

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
    status: text("status").$type<RunStatus>().notNull().default("running"),
    /** The user's message that started the run, kept until it is safely in a checkpoint; null for Continue. */
    input: jsonb("input").$type<RunInput | null>(),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 })
      .notNull()
      .default(sql`now()`),
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
    uniqueIndex("runs_one_active_per_thread").on(t.threadId).where(isActive),
    // The recovery sweep: active runs whose owner stopped sending heartbeats.
    index("runs_stale_idx").on(t.heartbeatAt).where(isActive),
    // Finished runs whose event log still waits to be pruned.
    index("runs_unpruned_idx")
      .on(t.finishedAt)
      .where(sql`events_pruned_at is null and finished_at is not null`),
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
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 })
      .notNull()
      .default(sql`now()`),
  },
  (t) => [primaryKey({ columns: [t.runId, t.seq] })],
);

export type Run = typeof runs.$inferSelect;

/** A run's new user message; `base` is the checkpoint it forks from when the user edits or regenerates. */
export interface RunInput {
  id: string;
  text: string;
  base?: string;
  /** The files it carries, by reference: the bytes stay in `attachments`. */
  attachments?: AttachmentRef[];
}

/**
 * What the agent remembers about a user across conversations, written only through an approved
 * `remember` (or the Memory page). The composite GIN index on (user_id, tsv) that recall searches
 * is created in the migration's custom part: it needs btree_gin, which has to exist first.
 */
export const memories = pgTable(
  "memories",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind").$type<MemoryKind>().notNull().default("fact"),
    text: text("text").notNull(),
    /** The conversation and the user's message it came from; the conversation may since be deleted. */
    threadId: uuid("thread_id").references(() => threads.id, { onDelete: "set null" }),
    messageId: text("message_id"),
    /** The tool call that saved it: a call replayed after a crash finds its memory already there. */
    toolCallId: text("tool_call_id"),
    /** Only when an embeddings provider is set: compared with cosine in the app, no extension needed. */
    embedding: real("embedding").array(),
    /** Vectors of different models cannot be compared: recall uses only the configured model's. */
    embeddingModel: text("embedding_model"),
    tsv: tsvector("tsv")
      .notNull()
      .generatedAlwaysAs((): SQL => sql`to_tsvector(${searchConfig}, ${memories.text})`),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 })
      .notNull()
      .default(sql`now()`),
    updatedAt: timestamp("updated_at", { withTimezone: true, precision: 3 })
      .notNull()
      .default(sql`now()`),
    lastRecalledAt: timestamp("last_recalled_at", { withTimezone: true, precision: 3 }),
  },
  (t) => [
    check("memories_text_length", sql`char_length(${t.text}) between 1 and ${sql.raw(String(MAX_MEMORY_LENGTH))}`),
    check("memories_kind", sql`${t.kind} in ('profile', 'fact')`),
    uniqueIndex("memories_user_tool_call_idx").on(t.userId, t.toolCallId),
    // The Memory page (newest first) and the profile memories recalled on every call.
    index("memories_user_kind_updated_idx").on(t.userId, t.kind, t.updatedAt.desc(), t.id.desc()),
    index("memories_user_updated_idx").on(t.userId, t.updatedAt.desc(), t.id.desc()),
    index("memories_thread_idx").on(t.threadId),
  ],
);

export type Memory = typeof memories.$inferSelect;

/**
 * An action the agent asked to take and the user's decision on it. The row is the lock: a decision
 * is an UPDATE of a pending row, so it applies once however many clicks or tabs race for it.
 */
export const approvals = pgTable(
  "approvals",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    threadId: uuid("thread_id")
      .notNull()
      .references(() => threads.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** The run that paused for it; every approval of one pause is decided before the graph resumes. */
    runId: uuid("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    toolCallId: text("tool_call_id").notNull(),
    /** Its place among the calls of its step, so the cards read in the order the agent asked. */
    position: integer("position").notNull().default(0),
    toolName: text("tool_name").notNull(),
    args: jsonb("args").$type<Record<string, unknown>>().notNull(),
    status: text("status").$type<ApprovalStatus>().notNull().default("pending"),
    decidedArgs: jsonb("decided_args").$type<Record<string, unknown>>(),
    reason: text("reason"),
    decidedAt: timestamp("decided_at", { withTimezone: true, precision: 3 }),
    /** The run that carries the decisions on, created with the last of them. */
    resumedByRunId: uuid("resumed_by_run_id"),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 })
      .notNull()
      .default(sql`now()`),
  },
  (t) => [
    uniqueIndex("approvals_thread_call_idx").on(t.threadId, t.toolCallId),
    index("approvals_run_idx").on(t.runId),
    index("approvals_resumed_by_idx").on(t.resumedByRunId),
  ],
);

export type Approval = typeof approvals.$inferSelect;

/**
 * The tree of a thread's branches, one row a message as the UI shows it (a user message, or an
 * assistant turn by its first AI message id). Siblings share a parent. The checkpoints hold the
 * messages; this holds where each branch forks (base) and where it has got to (leaf).
 */
export const messageBranches = pgTable(
  "message_branches",
  {
    threadId: uuid("thread_id")
      .notNull()
      .references(() => threads.id, { onDelete: "cascade" }),
    messageId: text("message_id").notNull(),
    /** The message before it in the conversation; null for the first. */
    parentId: text("parent_id"),
    role: text("role").$type<"user" | "assistant">().notNull(),
    /** For a user message: the checkpoint the thread was at when it was sent, where an edit forks. */
    baseCheckpointId: text("base_checkpoint_id"),
    /** The newest checkpoint of the latest branch through this message: where switching to it goes. */
    leafCheckpointId: text("leaf_checkpoint_id"),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 })
      .notNull()
      .default(sql`clock_timestamp()`),
  },
  (t) => [primaryKey({ columns: [t.threadId, t.messageId] }), index("message_branches_parent_idx").on(t.threadId, t.parentId, t.createdAt)],
);

/**
 * Fixed-window counters for rate limits, shared by every instance: a key (who, for what, which
 * window length) and the window's start. Old windows are swept away.
 */
export const rateLimits = pgTable(
  "rate_limits",
  {
    key: text("key").notNull(),
    windowStart: timestamp("window_start", { withTimezone: true, precision: 0 }).notNull(),
    hits: integer("hits").notNull(),
  },
  (t) => [primaryKey({ columns: [t.key, t.windowStart] }), index("rate_limits_window_idx").on(t.windowStart)],
);

/**
 * One row per sign-in. The JWT cookie names its row (`sid`), so a session can be ended on the
 * server (sign out, sign out everywhere, account deletion) and has an absolute end (`expires_at`)
 * that re-issued cookies do not move.
 */
export const userSessions = pgTable(
  "user_sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    endedAt: timestamp("ended_at", { withTimezone: true }),
  },
  (t) => [index("user_sessions_user_idx").on(t.userId), index("user_sessions_expires_idx").on(t.expiresAt)],
);

/**
 * What search reads: the text of each user and assistant message, once per version, on every
 * branch. The saver writes a row in the statement that adds the message to a conversation; deleting
 * the thread deletes its rows. `user_id` is the thread's, copied so that one GIN index on
 * (user_id, tsv) answers a user's query without touching anyone else's rows. That index needs
 * btree_gin, so the migration's custom part makes it.
 */
export const messageSearch = pgTable(
  "message_search",
  {
    /** From the thread, the message's id and its text: the same message reached twice is one row. */
    key: uuid("key").primaryKey(),
    userId: text("user_id").notNull(),
    threadId: uuid("thread_id")
      .notNull()
      .references(() => threads.id, { onDelete: "cascade" }),
    /** The message as the UI shows it: a user message, or the assistant turn it is part of. */
    messageId: text("message_id").notNull(),
    role: text("role").$type<"user" | "assistant">().notNull(),
    body: text("body").notNull(),
    tsv: tsvector("tsv")
      .notNull()
      .generatedAlwaysAs(sql`to_tsvector(${searchConfig}, body)`),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 })
      .notNull()
      .default(sql`clock_timestamp()`),
  },
  (t) => [index("message_search_thread_idx").on(t.threadId)],
);

/** Threads that existed before search did, waiting for their messages to be indexed (server/search/backfill.ts). */
export const searchBackfill = pgTable("search_backfill", {
  threadId: uuid("thread_id")
    .primaryKey()
    .references(() => threads.id, { onDelete: "cascade" }),
});

/**
 * The user's "Good answer" / "Bad answer" on an assistant message (its UI id, as message_branches
 * names it), with an optional comment on a bad one. One row per user and message: changing the
 * choice updates it. The agent and model that wrote the answer are kept for the metrics and the export.
 */
export const feedback = pgTable(
  "feedback",
  {
    threadId: uuid("thread_id")
      .notNull()
      .references(() => threads.id, { onDelete: "cascade" }),
    messageId: text("message_id").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    rating: text("rating").$type<Rating>().notNull(),
    comment: text("comment"),
    agent: text("agent").notNull(),
    model: text("model").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 })
      .notNull()
      .default(sql`now()`),
    updatedAt: timestamp("updated_at", { withTimezone: true, precision: 3 })
      .notNull()
      .default(sql`now()`),
  },
  (t) => [
    // Thread first: the conversation's feedback is read (and deleted with it) by thread.
    primaryKey({ columns: [t.threadId, t.messageId, t.userId] }),
    index("feedback_user_idx").on(t.userId),
    check("feedback_rating", sql`${t.rating} in ('good', 'bad')`),
    check("feedback_comment_length", sql`char_length(${t.comment}) <= ${sql.raw(String(MAX_FEEDBACK_COMMENT))}`),
  ],
);

/**
 * A conversation's read-only link. The id is the link's secret: 128 random bits, base64url. The
 * snapshot holds the branch that was current when the link was made (or last updated), as the UI
 * shows it, so later edits, branches and deletions of messages are not published by themselves.
 * One link per conversation; stopping sharing deletes the row, so a stopped link and one that never
 * existed are the same absence.
 */
export const shares = pgTable(
  "shares",
  {
    id: text("id").primaryKey(),
    threadId: uuid("thread_id")
      .notNull()
      .references(() => threads.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    title: text("title").notNull(),
    snapshot: jsonb("snapshot").$type<SharedMessage[]>().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 })
      .notNull()
      .default(sql`now()`),
    updatedAt: timestamp("updated_at", { withTimezone: true, precision: 3 })
      .notNull()
      .default(sql`now()`),
  },
  (t) => [uniqueIndex("shares_thread_idx").on(t.threadId), index("shares_user_idx").on(t.userId, t.updatedAt.desc())],
);

const bytea = customType<{ data: Buffer }>({ dataType: () => "bytea" });

/**
 * A file a user attached, stored once per user and content (its sha256): the same file attached
 * twice, or to two messages, is one row. `text` is what the model reads of a document (a PDF's
 * extracted text); images are sent as their bytes. A row no message refers to any more is deleted
 * by the trigger on message_attachments (the migration's custom part); one uploaded and never sent
 * is swept after a day (server/attachments/store.ts).
 */
export const attachments = pgTable(
  "attachments",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    sha256: text("sha256").notNull(),
    /** The name it was last uploaded under; each message keeps the name it was sent with. */
    name: text("name").notNull(),
    kind: text("kind").$type<AttachmentKind>().notNull(),
    /** Sniffed from the bytes for images; from the name for documents. */
    mediaType: text("media_type").notNull(),
    size: integer("size").notNull(),
    data: bytea("data").notNull(),
    text: text("text"),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 })
      .notNull()
      .default(sql`now()`),
  },
  (t) => [uniqueIndex("attachments_user_sha_idx").on(t.userId, t.sha256), check("attachments_kind", sql`${t.kind} in ('image', 'document')`)],
);

/**
 * Which message (on any branch: an abandoned one still refers to its files) carries which file.
 * Rows go only with their thread, and the last one of a file takes the file with it.
 */
export const messageAttachments = pgTable(
  "message_attachments",
  {
    threadId: uuid("thread_id")
      .notNull()
      .references(() => threads.id, { onDelete: "cascade" }),
    messageId: text("message_id").notNull(),
    attachmentId: uuid("attachment_id")
      .notNull()
      .references(() => attachments.id, { onDelete: "cascade" }),
    /** The name the file was sent with, and its place among the message's files. */
    name: text("name").notNull(),
    position: integer("position").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 })
      .notNull()
      .default(sql`now()`),
  },
  (t) => [primaryKey({ columns: [t.threadId, t.messageId, t.attachmentId] }), index("message_attachments_attachment_idx").on(t.attachmentId)],
);
