"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/app/_lib/trpc";

/** Which model answers: people must know when it is the offline demo and not a real model. */
export function ModelBadge() {
  const trpc = useTRPC();
  const { data } = useQuery(trpc.chat.model.queryOptions(undefined, { staleTime: Infinity }));
  if (!data) return null;
  const offline = data.provider === "offline";
  return (
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
  );
}
