"use client";
import { useActionState } from "react";
import { continueInMyAccount } from "./actions";

export function ContinueButton({ shareId }: { shareId: string }) {
  const [state, action, pending] = useActionState(() => continueInMyAccount(shareId), null);
  return (
    <form action={action} className="space-y-2">
      <button
        type="submit"
        disabled={pending}
        className="rounded-lg bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-50"
      >
        Continue in my account
      </button>
      {state?.error && (
        <p role="alert" className="text-sm text-red-600">
          {state.error}
        </p>
      )}
    </form>
  );
}
