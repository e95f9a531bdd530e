import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { TRPCReactProvider } from "@/app/_lib/trpc";
import { AppShell } from "@/app/_components/app-shell";
import { nextThreadCursor, sidebarListInput } from "@/app/_lib/sidebar-query";
import { auth } from "@/server/auth";
import { getQueryClient, HydrateClient, trpc } from "@/server/trpc/rsc";

export default async function ChatLayout({ children }: { children: ReactNode }) {
  const session = await auth();
  // proxy.ts already redirects; this guards against a matcher gap.
  if (!session?.user) redirect("/sign-in");
  // The sidebar's first page arrives with the HTML: no spinner on load.
  const queryClient = getQueryClient();
  await Promise.all([
    queryClient.prefetchInfiniteQuery(trpc.thread.list.infiniteQueryOptions(sidebarListInput, { getNextPageParam: nextThreadCursor })),
    queryClient.prefetchQuery(trpc.chat.model.queryOptions()),
  ]);
  return (
    <TRPCReactProvider>
      <HydrateClient>
        <AppShell email={session.user.email ?? session.user.name ?? "Signed in"}>{children}</AppShell>
      </HydrateClient>
    </TRPCReactProvider>
  );
}
