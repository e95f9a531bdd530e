import type { ReactNode } from "react";

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <main className="flex min-h-dvh items-center justify-center bg-zinc-50 px-4">
      <div className="w-full max-w-sm rounded-2xl border border-zinc-200 bg-white p-8 shadow-sm">
        <p className="mb-6 text-center text-sm font-semibold tracking-wide text-indigo-600">Threadline</p>
        {children}
      </div>
    </main>
  );
}
