import { z } from "zod";
import { MAX_ATTACHMENTS_PER_MESSAGE } from "@/lib/attachments";
import { MAX_FEEDBACK_COMMENT } from "@/lib/feedback";
import { MAX_MESSAGE_LENGTH, MAX_SEARCH_LENGTH } from "@/lib/limits";
import { MAX_MEMORY_LENGTH } from "@/lib/memory";
import { SHARE_ID } from "@/lib/share";
import { withoutHiddenControls } from "@/lib/text";

/**
 * Input schemas shared by the routers. Postgres cannot store the NUL character in text or jsonb,
 * nor a lone UTF-16 surrogate (it has no UTF-8 form), so every string that may reach the database
 * refuses both with a clear message instead of a failed query.
 */
const STORABLE = [
  { ok: (s: string) => !s.includes("\u0000"), says: "cannot contain NUL characters" },
  { ok: (s: string) => s.isWellFormed(), says: "contains characters that are not valid Unicode" },
];

/** A string input that refuses what Postgres cannot store, in words that name the field. */
const storable = (schema: z.ZodString, label: string) => STORABLE.reduce((s, rule) => s.refine(rule.ok, `${label} ${rule.says}`), schema);

export const threadId = z.uuid("Not a valid conversation id");

/** Titles show in the sidebar: direction controls and zero-width characters would disguise them. */
export const title = storable(
  z.string().overwrite(withoutHiddenControls).trim().min(1, "Title cannot be empty").max(200, "Title must be at most 200 characters"),
  "Title",
);

export const messageText = storable(
  z
    .string()
    .trim()
    .min(1, "Message cannot be empty")
    .max(MAX_MESSAGE_LENGTH, `Message must be at most ${MAX_MESSAGE_LENGTH.toLocaleString("en")} characters`),
  "Message",
);

/** A memory's text, from the remember tool (the model's arguments, or the user's edit of them) or the Memory page. */
export const memoryText = storable(
  z
    .string()
    .trim()
    .min(1, "The memory cannot be empty")
    .max(MAX_MEMORY_LENGTH, `A memory can be at most ${MAX_MEMORY_LENGTH.toLocaleString("en")} characters`),
  "The memory",
);

/** What the Memory page's filter box holds (empty: every memory). */
export const memoryFilter = storable(z.string().max(200, "The search must be at most 200 characters"), "The search");

/** What the user searches for: Postgres parses it (websearch_to_tsquery), so any text will do. */
export const searchText = storable(
  z.string().trim().min(1, "Type something to search for").max(MAX_SEARCH_LENGTH, `A search must be at most ${MAX_SEARCH_LENGTH} characters`),
  "The search",
);

/** What the user adds to "Bad answer" (empty: nothing to add). */
export const feedbackComment = storable(
  z
    .string()
    .trim()
    .max(MAX_FEEDBACK_COMMENT, `The comment must be at most ${MAX_FEEDBACK_COMMENT.toLocaleString("en")} characters`),
  "The comment",
);

/** Ids we made (messages, tool calls): opaque, short, printable. */
export const opaqueId = (label: string) =>
  storable(z.string().min(1, `${label} is missing`).max(200, `${label} is too long`), label).refine(
    (s) => !/[\u0000-\u001f]/.test(s),
    `Not a valid ${label.toLowerCase()}`,
  );

/** An agent's or a model's id as threadline.config.json writes them (the registry checks that it exists). */
export const configId = (label: string) =>
  z
    .string(`${label} must be a string`)
    .min(1, `${label} is missing`)
    .max(40, `${label} is too long`)
    .regex(/^[a-z0-9][a-z0-9-]*$/, `Not a valid ${label.toLowerCase()}`);

/** The id of the last event a stream delivered, as EventSource sends it back: anything short. */
export const lastEventId = storable(z.string().max(100, "Event id is too long"), "Event id");

/** Every date Postgres and JavaScript both hold, and more than any real one: the years 1 to 9999. */
export const timestamp = (label: string) =>
  z
    .date(`${label} is not a valid date`)
    .min(new Date("0001-01-01T00:00:00Z"), `${label} is before the year 1`)
    .max(new Date("9999-12-31T23:59:59.999Z"), `${label} is after the year 9999`);

/** Every string in a JSON value, keys included, without recursion (the value may be deeply nested). */
function* stringsIn(value: unknown): Generator<string> {
  const stack = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === "string") yield v;
    else if (Array.isArray(v)) for (const item of v) stack.push(item);
    else if (v && typeof v === "object") {
      for (const [key, inner] of Object.entries(v)) {
        yield key;
        stack.push(inner);
      }
    }
  }
}

const everyString = (ok: (s: string) => boolean) => (value: unknown) => {
  for (const s of stringsIn(value)) if (!ok(s)) return false;
  return true;
};

/** Arguments the user edited, stored as jsonb: every string in them, at any depth, is storable. */
const editedArgs = STORABLE.reduce(
  (schema, rule) => schema.refine(everyString(rule.ok), `The arguments ${rule.says}`),
  z.record(z.string(), z.unknown()).refine((a) => JSON.stringify(a).length <= 20_000, "The arguments are too large"),
);

export const decision = z.discriminatedUnion("type", [
  z.object({ type: z.literal("approve") }),
  z.object({ type: z.literal("edit"), args: editedArgs }),
  z.object({
    type: z.literal("reject"),
    reason: storable(z.string().trim().max(1_000, "The reason must be at most 1,000 characters"), "The reason").nullish(),
  }),
]);

/** A share link's id, as the link carries it. */
export const shareId = z.string().regex(SHARE_ID, "Not a valid share link");

/** The files a new message carries, by the ids their upload returned; ATTACHMENTS_PER_MESSAGE is checked past this hard cap. */
export const attachmentIds = z
  .array(z.uuid("Not a valid attachment id"))
  .max(MAX_ATTACHMENTS_PER_MESSAGE, `At most ${MAX_ATTACHMENTS_PER_MESSAGE} files can be attached to one message`);
