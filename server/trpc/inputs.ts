import { z } from "zod";
import { MAX_MESSAGE_LENGTH } from "@/lib/limits";

/**
 * Input schemas shared by the routers. Postgres cannot store the NUL character in text or jsonb,
 * so every string that may reach the database refuses it with a clear message instead of a
 * failed query.
 */
const NUL = "\u0000";

export const threadId = z.uuid("Not a valid conversation id");

export const title = z
  .string()
  .trim()
  .min(1, "Title cannot be empty")
  .max(200, "Title must be at most 200 characters")
  .refine((s) => !s.includes(NUL), "Title cannot contain NUL characters");

export const messageText = z
  .string()
  .trim()
  .min(1, "Message cannot be empty")
  .max(MAX_MESSAGE_LENGTH, `Message must be at most ${MAX_MESSAGE_LENGTH.toLocaleString("en")} characters`)
  .refine((s) => !s.includes(NUL), "Message cannot contain NUL characters");

/** Ids we made (messages, tool calls): opaque, short, printable. */
export const opaqueId = (label: string) =>
  z
    .string()
    .min(1, `${label} is missing`)
    .max(200, `${label} is too long`)
    .refine((s) => !/[\u0000-\u001f]/.test(s), `Not a valid ${label.toLowerCase()}`);

export const decision = z.discriminatedUnion("type", [
  z.object({ type: z.literal("approve") }),
  z.object({
    type: z.literal("edit"),
    args: z
      .record(z.string(), z.unknown())
      .refine((a) => JSON.stringify(a).length <= 20_000, "The arguments are too large")
      .refine((a) => !JSON.stringify(a).includes("\\u0000"), "The arguments cannot contain NUL characters"),
  }),
  z.object({
    type: z.literal("reject"),
    reason: z
      .string()
      .trim()
      .max(1_000, "The reason must be at most 1,000 characters")
      .refine((s) => !s.includes(NUL), "The reason cannot contain NUL characters")
      .nullish(),
  }),
]);
