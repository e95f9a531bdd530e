import { MemoryPage } from "@/app/_components/memory/memory-page";
import { memoryListInput, nextMemoryCursor } from "@/app/_lib/memory-query";
import { getQueryClient, HydrateClient, trpc } from "@/server/trpc/rsc";

export const metadata = { title: "Memory · Threadline" };

export default async function MemorySettingsPage() {
  // The list and the switch arrive with the HTML.
  const queryClient = getQueryClient();
  await Promise.all([
    queryClient.prefetchInfiniteQuery(trpc.memory.list.infiniteQueryOptions(memoryListInput(""), { getNextPageParam: nextMemoryCursor })),
    queryClient.prefetchQuery(trpc.memory.settings.queryOptions()),
  ]);
  return (
    <HydrateClient>
      <MemoryPage />
    </HydrateClient>
  );
}
