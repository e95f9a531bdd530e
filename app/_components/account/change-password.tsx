"use client";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/app/_lib/trpc";
import { Section } from "./section";

const input = "block w-full max-w-sm rounded-lg border border-zinc-300 px-3 py-1.5 focus:border-indigo-500 focus:outline-none";

/** Asks for the current password; other devices are signed out, this one stays. */
export function ChangePassword() {
  const trpc = useTRPC();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const change = useMutation(
    trpc.account.changePassword.mutationOptions({
      onSuccess: () => {
        setCurrent("");
        setNext("");
      },
    }),
  );
  const fieldError = change.error?.data?.fieldErrors?.newPassword;
  return (
    <Section title="Password">
      <form
        className="space-y-3"
        onSubmit={(e) => {
          e.preventDefault();
          change.mutate({ currentPassword: current, newPassword: next });
        }}
      >
        <div className="space-y-1">
          <label htmlFor="current-password" className="block text-sm">
            Current password
          </label>
          <input
            id="current-password"
            type="password"
            autoComplete="current-password"
            required
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
            className={input}
          />
        </div>
        <div className="space-y-1">
          <label htmlFor="new-password" className="block text-sm">
            New password
          </label>
          <input
            id="new-password"
            type="password"
            autoComplete="new-password"
            required
            minLength={8}
            value={next}
            onChange={(e) => setNext(e.target.value)}
            aria-describedby="new-password-hint"
            className={input}
          />
          <p id="new-password-hint" className="text-xs text-zinc-500">
            At least 8 characters. Your other devices will be signed out.
          </p>
        </div>
        {change.error && (
          <p role="alert" className="text-sm text-red-600">
            {fieldError ?? change.error.message}
          </p>
        )}
        {change.isSuccess && (
          <p role="status" className="text-sm text-green-700">
            Password changed. Your other devices are signed out.
          </p>
        )}
        <button
          type="submit"
          disabled={change.isPending}
          className="rounded-lg bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-50"
        >
          Change password
        </button>
      </form>
    </Section>
  );
}
