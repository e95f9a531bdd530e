import { AccountPage } from "@/app/_components/account/account-page";
import { getQueryClient, HydrateClient, trpc } from "@/server/trpc/rsc";

export const metadata = { title: "Account · Threadline" };

export default async function AccountSettingsPage() {
  const queryClient = getQueryClient();
  await queryClient.prefetchQuery(trpc.account.get.queryOptions());
  return (
    <HydrateClient>
      <AccountPage />
    </HydrateClient>
  );
}
