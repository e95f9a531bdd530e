"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/app/_lib/trpc";
import { ChangePassword } from "./change-password";
import { DeleteAccount } from "./delete-account";
import { ExportData, ImportConversations } from "./export-import";
import { SharedLinks } from "./shared-links";
import { SignOutEverywhere } from "./sign-out-everywhere";

/** Account settings: the password, every signed-in device, and deleting the account. */
export function AccountPage() {
  const trpc = useTRPC();
  const account = useQuery(trpc.account.get.queryOptions());
  return (
    <main className="min-h-0 flex-1 overflow-y-auto">
      <div className="mx-auto w-full max-w-3xl space-y-6 px-4 py-6">
        <div>
          <h1 className="text-xl font-semibold">Account</h1>
          {account.data?.email && <p className="mt-1 text-sm text-zinc-600">Signed in as {account.data.email}</p>}
        </div>
        {account.data?.hasPassword && <ChangePassword />}
        <SignOutEverywhere />
        <SharedLinks />
        <ExportData />
        <ImportConversations />
        {account.data?.email && <DeleteAccount email={account.data.email} />}
      </div>
    </main>
  );
}
