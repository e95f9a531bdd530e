"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/app/_lib/trpc";

/**
 * A new conversation's agent, chosen before its first message (which creates the conversation with
 * it): the configured agents as a radio group named "Agent", the default one preselected. Shown only
 * when there is more than one agent to choose from.
 */
export function AgentPicker({ value, onChange }: { value: string | null; onChange: (agentId: string) => void }) {
  const trpc = useTRPC();
  const { data } = useQuery(trpc.chat.agents.queryOptions(undefined, { staleTime: 5 * 60_000 }));
  if (!data || data.agents.length < 2) return null;
  const chosen = value ?? data.defaultAgentId;
  return (
    <fieldset className="mx-auto mt-6 max-w-xl text-left">
      <legend className="mb-2 text-sm font-medium">Agent</legend>
      <div role="radiogroup" aria-label="Agent" className="grid gap-2 sm:grid-cols-2">
        {data.agents.map((a) => (
          <label
            key={a.id}
            className={`flex cursor-pointer gap-2 rounded-lg border px-3 py-2 text-sm ${a.id === chosen ? "border-zinc-800 bg-zinc-50" : "border-zinc-200 hover:bg-zinc-50"}`}
          >
            <input type="radio" name="agent" value={a.id} checked={a.id === chosen} onChange={() => onChange(a.id)} className="mt-1" />
            <span className="min-w-0">
              <span className="block font-medium">{a.name}</span>
              {a.description && <span className="block text-zinc-600">{a.description}</span>}
              {a.tools.length > 0 && <span className="block text-xs text-zinc-500">Tools: {a.tools.join(", ")}</span>}
            </span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
