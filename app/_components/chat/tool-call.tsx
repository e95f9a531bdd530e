import type { MessagePart } from "@/lib/messages";

type ToolPart = Extract<MessagePart, { type: "tool" }>;

function stateOf(part: ToolPart): string {
  if (part.approval?.status === "rejected") return "rejected";
  if (part.result === null) return part.approval?.status === "pending" ? "awaiting approval" : "running…";
  if (part.result.isError) return "failed";
  return part.approval?.status === "edited" ? "done · edited" : "done";
}

/** A tool call as a collapsible row: name and arguments at a glance, the result inside. */
export function ToolCall({ part }: { part: ToolPart }) {
  const args = Object.entries(part.args)
    .map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(", ");
  const state = stateOf(part);
  return (
    <details className="my-2 rounded-lg border border-zinc-200 bg-zinc-50 text-sm">
      <summary className="flex cursor-pointer items-center gap-2 px-3 py-1.5">
        <span className="font-mono font-medium">{part.name}</span>
        <span className="min-w-0 flex-1 truncate font-mono text-zinc-500">{args}</span>
        <span className={`text-xs ${part.result?.isError ? "text-red-600" : "text-zinc-500"}`}>{state}</span>
      </summary>
      <div className="space-y-2 border-t border-zinc-200 px-3 py-2">
        <div>
          <div className="text-xs font-medium text-zinc-500">Arguments</div>
          <pre className="overflow-x-auto font-mono text-xs whitespace-pre-wrap">{JSON.stringify(part.args, null, 2)}</pre>
        </div>
        {part.result && (
          <div>
            <div className="text-xs font-medium text-zinc-500">Result</div>
            <pre className={`overflow-x-auto font-mono text-xs whitespace-pre-wrap ${part.result.isError ? "text-red-700" : ""}`}>{part.result.content}</pre>
          </div>
        )}
      </div>
    </details>
  );
}
