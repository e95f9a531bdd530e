"use client";
import Link from "next/link";
import { useActionState } from "react";
import type { AuthFormState } from "./actions";

interface Props {
  mode: "sign-in" | "sign-up";
  action: (prev: AuthFormState, form: FormData) => Promise<AuthFormState>;
  callbackUrl?: string;
}

export function AuthForm({ mode, action, callbackUrl }: Props) {
  const [state, formAction, pending] = useActionState(action, {});
  const submit = mode === "sign-in" ? "Sign in" : "Sign up";
  return (
    <form action={formAction} noValidate className="space-y-4">
      <h1 className="text-xl font-semibold">{mode === "sign-in" ? "Sign in to Threadline" : "Create your account"}</h1>
      {callbackUrl && <input type="hidden" name="callbackUrl" value={callbackUrl} />}
      <Field label="Email" name="email" type="email" autoComplete="email" defaultValue={state.email} error={state.fieldErrors?.email} />
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete={mode === "sign-in" ? "current-password" : "new-password"}
        error={state.fieldErrors?.password}
        hint={mode === "sign-up" ? "At least 8 characters." : undefined}
      />
      {state.error && (
        <p role="alert" className="rounded-lg bg-red-50 px-3 py-2 text-sm text-red-700">
          {state.error}
        </p>
      )}
      <button
        type="submit"
        disabled={pending}
        className="w-full rounded-lg bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-500 disabled:opacity-60"
      >
        {submit}
      </button>
      <p className="text-center text-sm text-zinc-600">
        {mode === "sign-in" ? (
          <>
            New here?{" "}
            <Link href="/sign-up" className="font-medium text-indigo-600 underline">
              Create an account
            </Link>
          </>
        ) : (
          <>
            Already have an account?{" "}
            <Link href="/sign-in" className="font-medium text-indigo-600 underline">
              Sign in
            </Link>
          </>
        )}
      </p>
    </form>
  );
}

interface FieldProps {
  label: string;
  name: string;
  type: string;
  autoComplete: string;
  defaultValue?: string;
  error?: string;
  hint?: string;
}

function Field({ label, name, type, autoComplete, defaultValue, error, hint }: FieldProps) {
  const describedBy = error ? `${name}-error` : hint ? `${name}-hint` : undefined;
  return (
    <div className="space-y-1">
      <label htmlFor={name} className="block text-sm font-medium">
        {label}
      </label>
      <input
        id={name}
        name={name}
        type={type}
        autoComplete={autoComplete}
        defaultValue={defaultValue}
        // A new key per answer resets the field to what the server echoed back.
        key={defaultValue}
        aria-invalid={Boolean(error)}
        aria-describedby={describedBy}
        className="w-full rounded-lg border border-zinc-300 px-3 py-2 aria-invalid:border-red-500"
      />
      {error ? (
        <p id={`${name}-error`} className="text-sm text-red-600">
          {error}
        </p>
      ) : hint ? (
        <p id={`${name}-hint`} className="text-xs text-zinc-500">
          {hint}
        </p>
      ) : null}
    </div>
  );
}
