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

/**
 * A message as its payload row stores it, when it is one of the common shapes: its fields with
 * LangChain's serialization wrapper and every empty default (`additional_kwargs: {}`,
 * `tool_calls: []`, empty token details…) left out, about a third of a short message's bytes. The
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
  return [COMPACT_TYPE, Buffer.from(JSON.stringify({ c, k }))];
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
