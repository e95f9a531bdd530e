import { AIMessage, type BaseMessage, HumanMessage, SystemMessage, ToolMessage } from "@langchain/core/messages";

const CLASSES: Record<string, new (fields: never) => BaseMessage> = {
  AIMessage: AIMessage as never,
  HumanMessage: HumanMessage as never,
  SystemMessage: SystemMessage as never,
  ToolMessage: ToolMessage as never,
};

const utf8 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");

/** The stored form of a plain message: its class and its fields, without the values its constructor fills in. */
export const COMPACT_TYPE = "tlm";
/** The same, with the class and the common field names in short codes (see `CODES`). */
export const SHORT_TYPE = "tl2";

/**
 * Short codes for the names every message repeats, by where they appear. Stored rows depend on
 * them: codes may be added, never changed. A message with a name that is already a code where it
 * would be shortened is stored in the longer form instead, so reading back is never ambiguous.
 */
const CODES = {
  class: { AIMessage: "A", HumanMessage: "H", SystemMessage: "S", ToolMessage: "T" },
  field: {
    id: "i",
    content: "c",
    name: "n",
    tool_calls: "t",
    invalid_tool_calls: "v",
    tool_call_id: "d",
    status: "s",
    artifact: "a",
    additional_kwargs: "k",
    usage_metadata: "u",
    response_metadata: "r",
  },
  usage: { input_tokens: "i", output_tokens: "o", total_tokens: "t", input_token_details: "id", output_token_details: "od" },
  response: {
    context_tokens: "c",
    agent_model: "a",
    model_label: "l",
    stopped: "s",
    memory_ids: "m",
    model_name: "n",
    model_provider: "p",
    finish_reason: "f",
    system_fingerprint: "y",
  },
} as const satisfies Record<string, Record<string, string>>;
type Codes = Record<string, string>;
const reverse = (codes: Codes): Codes => Object.fromEntries(Object.entries(codes).map(([name, code]) => [code, name]));
const NAMES = { class: reverse(CODES.class), field: reverse(CODES.field), usage: reverse(CODES.usage), response: reverse(CODES.response) };
/** Nested objects whose own names are coded too, by the field that holds them. */
const NESTED = { usage_metadata: "usage", response_metadata: "response" } as const;

type Plain = Record<string, unknown>;
const isPlain = (value: unknown): value is Plain => value !== null && typeof value === "object" && !Array.isArray(value);

/** An object's names in codes, or null when one of its names is itself a code here. */
function shorten(o: Plain, codes: Codes, names: Codes): Plain | null {
  const out: Plain = {};
  for (const [name, value] of Object.entries(o)) {
    if (name in names) return null;
    out[codes[name] ?? name] = value;
  }
  return out;
}
const lengthen = (o: Plain, names: Codes): Plain => Object.fromEntries(Object.entries(o).map(([code, value]) => [names[code] ?? code, value]));

function shortForm(c: string, k: Plain): Uint8Array | null {
  const fields = shorten(k, CODES.field, NAMES.field);
  if (!fields) return null;
  for (const [field, level] of Object.entries(NESTED)) {
    const code = CODES.field[field as keyof typeof CODES.field];
    if (!isPlain(fields[code])) continue;
    const nested = shorten(fields[code], CODES[level], NAMES[level]);
    if (!nested) return null;
    fields[code] = nested;
  }
  return Buffer.from(JSON.stringify([CODES.class[c as keyof typeof CODES.class], fields]));
}

function fromShortForm(payload: Uint8Array): BaseMessage {
  const [code, fields] = JSON.parse(utf8(payload)) as [string, Plain];
  const Class = CLASSES[NAMES.class[code] ?? ""];
  if (!Class) throw new Error(`a stored message of an unknown kind: ${code}`);
  const k = lengthen(fields, NAMES.field);
  for (const [field, level] of Object.entries(NESTED)) if (isPlain(k[field])) k[field] = lengthen(k[field], NAMES[level]);
  return new Class(k as never);
}

/**
 * A message as its payload row stores it, when it is one of the common shapes: its fields with
 * LangChain's serialization wrapper and every empty default (`additional_kwargs: {}`,
 * `tool_calls: []`, empty token details…) left out, about a third of a short message's bytes, and
 * its class and field names in short codes, about 70 bytes more of a ~300-byte message. The
 * constructor puts the defaults back, so reviving and storing again gives the same bytes (the
 * payload key, a hash of them, stays stable). Anything else is null, and goes to the serializer.
 */
export function compactMessage(message: BaseMessage): [string, Uint8Array] | null {
  // Through JSON, as the serializer writes it: nested objects become their serialized form, which hasSerializedObject sees.
  const { lc, type, id, kwargs } = JSON.parse(JSON.stringify(message)) as { lc?: number; type?: string; id?: string[]; kwargs?: Record<string, unknown> };
  const c = id?.[2];
  if (lc !== 1 || type !== "constructor" || !c || id?.[0] !== "langchain_core" || id[1] !== "messages" || !CLASSES[c] || !kwargs) return null;
  if (hasSerializedObject(kwargs)) return null;
  const k: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(kwargs)) {
    if (value === undefined || isEmpty(value)) continue;
    k[name] = name === "usage_metadata" ? withoutEmpty(value as Record<string, unknown>) : value;
  }
  const short = shortForm(c, k);
  return short ? [SHORT_TYPE, short] : [COMPACT_TYPE, Buffer.from(JSON.stringify({ c, k }))];
}

const isEmpty = (value: unknown) =>
  Array.isArray(value) ? value.length === 0 : value !== null && typeof value === "object" && Object.keys(value).length === 0;
const withoutEmpty = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => !isEmpty(v)));

/** Anything the serializer would have to revive itself: a nested LangChain object. */
function hasSerializedObject(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasSerializedObject);
  if (value && typeof value === "object") return "lc" in value || Object.values(value).some(hasSerializedObject);
  return false;
}

/**
 * The common message shapes, rebuilt directly from their JSON: several times faster than the
 * serializer's general reviver, which matters when a long conversation is read cold. Returns null
 * for anything else, which then goes to the serializer.
 */
export function reviveMessage(type: string, payload: Uint8Array): BaseMessage | null {
  if (type === SHORT_TYPE) return fromShortForm(payload);
  if (type === COMPACT_TYPE) {
    const { c, k } = JSON.parse(utf8(payload)) as { c: string; k: Record<string, unknown> };
    const Class = CLASSES[c];
    if (!Class) throw new Error(`a stored message of an unknown kind: ${c}`);
    return new Class(k as never);
  }
  if (type !== "json") return null;
  const value = JSON.parse(utf8(payload)) as {
    lc?: number;
    type?: string;
    id?: string[];
    kwargs?: Record<string, unknown>;
  };
  const name = value.id?.[2];
  const Class = name && value.id?.[0] === "langchain_core" && value.id[1] === "messages" ? CLASSES[name] : undefined;
  if (value.lc !== 1 || value.type !== "constructor" || !Class || !value.kwargs || hasSerializedObject(value.kwargs)) return null;
  return new Class(value.kwargs as never);
}
