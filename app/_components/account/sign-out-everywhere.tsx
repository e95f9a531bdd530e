"use client";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { signOutAction } from "@/app/(chat)/actions";
import { useTRPC } from "@/app/_lib/trpc";
import { ConfirmDialog } from "../confirm-dialog";
import { Section } from "./section";

/** Ends every session of the account, on every device and this one. */
export function SignOutEverywhere() {
  const trpc = useTRPC();
  const [confirming, setConfirming] = useState(false);
  // Then this browser's cookie goes too, and the sign-in page opens.
  const end = useMutation(trpc.account.signOutEverywhere.mutationOptions({ onSuccess: () => signOutAction() }));
  return (
    <Section title="Sign out everywhere">
      <p className="text-sm text-zinc-600">Signs you out on every device and browser, this one included, within a minute at most.</p>
      {end.error && (
        <p role="alert" className="text-sm text-red-600">
          {end.error.message}
        </p>
      )}
      <button
        type="button"
        onClick={() => setConfirming(true)}
        disabled={end.isPending}
        className="rounded-lg border border-zinc-300 px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 disabled:opacity-50"
      >
        Sign out everywhere
      </button>
      <ConfirmDialog
        open={confirming}
        title="Sign out everywhere?"
        confirmLabel="Sign out everywhere"
        onCancel={() => setConfirming(false)}
        onConfirm={() => {
          setConfirming(false);
          end.mutate();
        }}
      >
        Every device signed in to your account, this one included, will have to sign in again.
      </ConfirmDialog>
    </Section>
  );
}
