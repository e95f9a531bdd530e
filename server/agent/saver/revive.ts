import { AIMessage, type BaseMessage, HumanMessage, SystemMessage, ToolMessage } from "@langchain/core/messages";

const CLASSES: Record<string, new (fields: never) => BaseMessage> = {
  AIMessage: AIMessage as never,
  HumanMessage: HumanMessage as never,
  SystemMessage: SystemMessage as never,
  ToolMessage: ToolMessage as never,
};

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
  if (type !== "json") return null;
  const value = JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString("utf8")) as {
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
