"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/app/_lib/trpc";

/**
 * Which model answers: people must know when it is the offline demo and not a real model. In a
 * conversation whose agent allows several models, a combobox named "Model" chooses the one that
 * answers from the next message on. Beside it, the agent's tools that cannot run right now (their
 * MCP server is down), looked at again every half minute, so a server that goes away or comes back
 * shows without a reload.
 */
export function ModelBadge({ threadId }: { threadId?: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const query = trpc.chat.model.queryOptions(threadId ? { threadId } : undefined, { staleTime: 30_000, refetchInterval: 30_000 });
  const { data } = useQuery(query);
  const choose = useMutation(
    trpc.thread.setModel.mutationOptions({
      onSettled: () => Promise.all([queryClient.invalidateQueries({ queryKey: query.queryKey }), queryClient.invalidateQueries(trpc.thread.get.pathFilter())]),
    }),
  );
  if (!data) return null;
  const offline = data.provider === "offline";
  const unavailable = data.unavailableTools;
  return (
    <>
      {!data.agent.isDefault && <span className="shrink-0 rounded-full bg-indigo-100 px-2 py-0.5 text-xs font-medium text-indigo-800">{data.agent.name}</span>}
      {threadId && data.models.length > 1 ? (
        <select
          aria-label="Model"
          value={choose.isPending ? (choose.variables?.modelId ?? data.modelId) : data.modelId}
          onChange={(e) => choose.mutate({ threadId, modelId: e.target.value })}
          title="The model that answers from the next message on"
          className="shrink-0 rounded-md border border-zinc-300 bg-white px-2 py-0.5 text-xs"
        >
          {data.models.map((m) => (
            <option key={m.id} value={m.id}>
              {m.label}
            </option>
          ))}
        </select>
      ) : (
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
      )}
      {choose.error && (
        <span role="alert" className="text-xs text-red-700">
          {choose.error.message}
        </span>
      )}
      {unavailable.length > 0 && (
        <span role="status" className="truncate text-xs text-amber-700" title={unavailable.join(", ")}>
          Unavailable right now: {unavailable.join(", ")}
        </span>
      )}
    </>
  );
}
