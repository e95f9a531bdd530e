"use server";
import { AuthError } from "next-auth";
import { z } from "zod";
import { getDb } from "@/server/db";
import { signIn } from "@/server/auth";
import { signInSchema, signUpSchema } from "@/server/auth/credentials";
import { signInLimitMessage } from "@/server/auth/sign-in-limit";
import { createUser } from "@/server/auth/users";

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
    if (err instanceof AuthError) return { email, error: signInLimitMessage(err) ?? WRONG_CREDENTIALS };
    throw err; // Next's redirect on success travels as an exception.
  }
  return {};
}

export async function signUpAction(_prev: AuthFormState, form: FormData): Promise<AuthFormState> {
  const parsed = signUpSchema.safeParse({ email: form.get("email"), password: form.get("password") });
  const email = String(form.get("email") ?? "");
  if (!parsed.success) return { email, fieldErrors: fieldErrors(parsed.error) };
  const created = await createUser(getDb(), parsed.data);
  if (!created.ok) return { email, fieldErrors: { email: "An account with this email already exists. Sign in instead." } };
  await signIn("credentials", { ...parsed.data, redirectTo: "/" });
  return {};
}

function fieldErrors(error: z.ZodError): AuthFormState["fieldErrors"] {
  const { fieldErrors: f } = z.flattenError(error);
  return { email: (f as Record<string, string[]>).email?.[0], password: (f as Record<string, string[]>).password?.[0] };
}
