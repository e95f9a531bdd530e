"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/app/_lib/trpc";

/**
 * Which model answers: people must know when it is the offline demo and not a real model. Beside
 * it, the agent's tools that cannot run right now (their MCP server is down), looked at again every
 * half minute, so a server that goes away or comes back shows without a reload.
 */
export function ModelBadge() {
  const trpc = useTRPC();
  const { data } = useQuery(trpc.chat.model.queryOptions(undefined, { staleTime: 30_000, refetchInterval: 30_000 }));
  if (!data) return null;
  const offline = data.provider === "offline";
  const unavailable = data.unavailableTools;
  return (
    <>
      <span
        title={
          offline
            ? "No model key is set: answers come from Threadline's built-in rules. See the README to connect a real model."
            : `Answers come from ${data.label}`
        }
        className={`shrink-0 rounded-full px-2 py-0.5 text-xs font-medium ${offline ? "bg-amber-100 text-amber-800" : "bg-zinc-100 text-zinc-600"}`}
      >
        {data.label}
      </span>
      {unavailable.length > 0 && (
        <span role="status" className="truncate text-xs text-amber-700" title={unavailable.join(", ")}>
          Unavailable right now: {unavailable.join(", ")}
        </span>
      )}
    </>
  );
}
