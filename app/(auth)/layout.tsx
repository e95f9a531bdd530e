import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { auth } from "@/server/auth";

export default async function AuthLayout({ children }: { children: ReactNode }) {
  // Signed in already (with a session that is still on): nothing to do here.
  if ((await auth())?.user) redirect("/");
  return (
    <main className="flex min-h-dvh items-center justify-center bg-zinc-50 px-4">
      <div className="w-full max-w-sm rounded-2xl border border-zinc-200 bg-white p-8 shadow-sm">
        <p className="mb-6 text-center text-sm font-semibold tracking-wide text-indigo-600">Threadline</p>
        {children}
      </div>
    </main>
  );
}
