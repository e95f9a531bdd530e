import { notFound } from "next/navigation";
import { z } from "zod";
import { ThreadView } from "@/app/_components/thread-view";
import { getQueryClient, HydrateClient, trpc } from "@/server/trpc/rsc";

export default async function ThreadPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!z.uuid().safeParse(id).success) notFound();
  // Someone else's conversation gets the same page as one that does not exist.
  const thread = await getQueryClient()
    .fetchQuery(trpc.thread.get.queryOptions({ id }))
    .catch(() => null);
  if (!thread) notFound();
  return (
    <HydrateClient>
      <ThreadView id={id} />
    </HydrateClient>
  );
}
