import { notFound } from "next/navigation";
import { z } from "zod";
import { Conversation } from "@/app/_components/chat/conversation";
import { getQueryClient, HydrateClient, trpc } from "@/server/trpc/rsc";

export default async function ThreadPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id } = await params;
  // ?m=<message id>: open at that message (a search result). Only shown, never trusted: switching to
  // its branch goes through thread.switchBranch, which checks it.
  const { m } = await searchParams;
  const focus = typeof m === "string" && m.length <= 200 ? m : undefined;
  if (!z.uuid().safeParse(id).success) notFound();
  const queryClient = getQueryClient();
  // Someone else's conversation gets the same page as one that does not exist.
  const thread = await queryClient.fetchQuery(trpc.thread.get.queryOptions({ threadId: id })).catch(() => null);
  if (!thread) notFound();
  // The conversation and any answer in progress arrive with the HTML.
  await Promise.all([
    queryClient.prefetchQuery(trpc.thread.messages.queryOptions({ threadId: id })),
    queryClient.prefetchQuery(trpc.feedback.ofThread.queryOptions({ threadId: id })),
  ]);
  return (
    <HydrateClient>
      <Conversation key={id} threadId={id} focus={focus} />
    </HydrateClient>
  );
}
