import { z } from "zod";
import { ACCOUNT_FORMAT, CONVERSATION_FORMAT, FORMAT_VERSION } from "@/lib/transfer";
import { RATINGS } from "@/lib/feedback";
import { withoutHiddenControls } from "@/lib/text";

/**
 * Threadline's own JSON, as the export writes it and the import reads it back. One schema for both
 * directions: what is exported is, by construction, what can be imported.
 */

/** Limits of one file's contents; the file's size has its own (IMPORT_MAX_BYTES). */
export const IMPORT_LIMITS = { conversations: 5_000, messagesPerConversation: 10_000, textChars: 200_000, partsPerMessage: 1_000 } as const;

/** Text Postgres can hold: no NUL, no lone surrogate (a cut export may end with half a pair). */
export const storedText = (max: number) =>
  z
    .string()
    .max(max, `is longer than ${max.toLocaleString("en")} characters`)
    .transform((s) => s.replaceAll("\u0000", "").toWellFormed());

/** Message and tool-call ids: short and printable. */
export const messageId = z
  .string()
  .min(1, "is empty")
  .max(200, "is longer than 200 characters")
  .regex(/^[^\u0000-\u001f]+$/, "has control characters");

/** A title as the sidebar can show it; an empty one gets a name. */
export const importedTitle = z
  .string()
  .nullish()
  .transform(
    (t) =>
      withoutHiddenControls(t ?? "")
        .replaceAll("\u0000", "")
        .toWellFormed()
        .trim()
        .slice(0, 200) || "Imported conversation",
  );

const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const text = storedText(IMPORT_LIMITS.textChars);

const toolPart = z.object({
  type: z.literal("tool"),
  id: messageId,
  name: z.string().min(1).max(200),
  args: z.record(z.string(), z.unknown()),
  result: z.object({ content: text, isError: z.boolean() }).nullable(),
  approval: z.object({ status: z.enum(["pending", "approved", "edited", "rejected"]), reason: z.string().max(2_000).nullable() }).optional(),
});

/** A multi-step agent's step: exported as a record of the answer, read back but not imported (steps live in the agent's own state). */
const stepPart = z.object({ type: z.literal("step"), kind: z.string().min(1).max(40), label: z.string().max(500) });

/** A file a message was sent with: kept on import when it is the importing user's own (an export of theirs). */
const attachmentRef = z.object({
  id: z.uuid(),
  name: z.string().min(1).max(255),
  kind: z.enum(["image", "document"]),
  mediaType: z.string().min(1).max(200),
  size: count,
});
const userMessage = z.object({
  id: messageId,
  parentId: messageId.nullable(),
  role: z.literal("user"),
  text,
  attachments: z.array(attachmentRef).max(100).optional(),
});
const assistantMessage = z.object({
  id: messageId,
  parentId: messageId.nullable(),
  role: z.literal("assistant"),
  parts: z.array(z.discriminatedUnion("type", [z.object({ type: z.literal("text"), text }), toolPart, stepPart])).max(IMPORT_LIMITS.partsPerMessage),
  stopped: z.boolean().default(false),
  usage: z.object({ input: count, output: count }).nullable().default(null),
  model: z.string().max(200).optional(),
  modelLabel: z.string().max(200).optional(),
});

export const exportedFeedback = z.object({
  messageId,
  rating: z.enum(RATINGS),
  comment: z.string().max(2_000).nullable(),
  agent: z.string().max(200),
  model: z.string().max(200),
});

export const exportedConversation = z.object({
  title: importedTitle,
  createdAt: z.string().optional(),
  /** The last message of the branch shown when it was exported. */
  currentMessageId: messageId.nullable(),
  /** Every message of every branch, parents first; versions share a parent. */
  messages: z.array(z.discriminatedUnion("role", [userMessage, assistantMessage])).max(IMPORT_LIMITS.messagesPerConversation),
  feedback: z.array(exportedFeedback).max(IMPORT_LIMITS.messagesPerConversation).default([]),
  /** For the record; an import does not bring back decisions on actions long taken. */
  approvals: z.array(z.unknown()).optional(),
});

export type ExportedConversation = z.input<typeof exportedConversation>;

export const conversationFile = z.object({
  format: z.literal(CONVERSATION_FORMAT),
  version: z.literal(FORMAT_VERSION),
  conversation: z.unknown(),
});

export const accountFile = z.object({
  format: z.literal(ACCOUNT_FORMAT),
  version: z.literal(FORMAT_VERSION),
  conversations: z.array(z.unknown()).max(IMPORT_LIMITS.conversations),
});
