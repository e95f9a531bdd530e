"use server";
import { AuthError } from "next-auth";
import { headers } from "next/headers";
import { z } from "zod";
import { getDb } from "@/server/db";
import { signIn } from "@/server/auth";
import { signInSchema, signUpSchema } from "@/server/auth/credentials";
import { signInRefusalMessage } from "@/server/auth/sign-in-limit";
import { clientAddress } from "@/server/security/client-address";
import { signUp } from "@/server/auth/sign-up";
import { RateLimited, Unavailable } from "@/server/errors";

export interface AuthFormState {
  email?: string;
  error?: string;
  fieldErrors?: { email?: string; password?: string };
}

const WRONG_CREDENTIALS = "Wrong email or password.";

export async function signInAction(_prev: AuthFormState, form: FormData): Promise<AuthFormState> {
  const parsed = signInSchema.safeParse({ email: form.get("email"), password: form.get("password") });
  const email = String(form.get("email") ?? "");
  if (!parsed.success) return { email, fieldErrors: fieldErrors(parsed.error) };
  try {
    // Auth.js's redirect callback (server/auth/config.ts) keeps only a path on this site.
    await signIn("credentials", { ...parsed.data, redirectTo: String(form.get("callbackUrl") || "/") });
  } catch (err) {
    if (err instanceof AuthError) return { email, error: signInRefusalMessage(err) ?? WRONG_CREDENTIALS };
    throw err; // Next's redirect on success travels as an exception.
  }
  return {};
}

export async function signUpAction(_prev: AuthFormState, form: FormData): Promise<AuthFormState> {
  const parsed = signUpSchema.safeParse({ email: form.get("email"), password: form.get("password") });
  const email = String(form.get("email") ?? "");
  if (!parsed.success) return { email, fieldErrors: fieldErrors(parsed.error) };
  try {
    const created = await signUp(getDb(), parsed.data, clientAddress(await headers()));
    if (!created.ok) return { email, fieldErrors: { email: "An account with this email already exists. Sign in instead." } };
  } catch (err) {
    if (err instanceof RateLimited || err instanceof Unavailable) return { email, error: err.message };
    throw err;
  }
  try {
    await signIn("credentials", { ...parsed.data, redirectTo: "/" });
  } catch (err) {
    // Refused (the server busy, say): the account exists now, and the form's Sign in link is the way on.
    if (err instanceof AuthError) return { email, error: `Your account is ready. ${signInRefusalMessage(err) ?? "Sign in to continue."}` };
    throw err;
  }
  return {};
}

function fieldErrors(error: z.ZodError): AuthFormState["fieldErrors"] {
  const { fieldErrors: f } = z.flattenError(error);
  return { email: (f as Record<string, string[]>).email?.[0], password: (f as Record<string, string[]>).password?.[0] };
}
