"use client";
import { usePathname } from "next/navigation";
import { useEffect, useState, type ReactNode } from "react";
import { ActivitySync } from "./activity-sync";
import { DatabaseBanner } from "./database-banner";
import { Sidebar } from "./sidebar";

/** Sidebar beside the page on wide screens; a drawer behind a menu button on phones. */
export function AppShell({ email, children }: { email: string; children: ReactNode }) {
  const [drawerOpen, setDrawerOpen] = useState(false);
  const pathname = usePathname();
  // Following a link inside the drawer closes it.
  const [lastPath, setLastPath] = useState(pathname);
  if (pathname !== lastPath) {
    setLastPath(pathname);
    setDrawerOpen(false);
  }
  useEffect(() => {
    if (!drawerOpen) return;
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && setDrawerOpen(false);
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [drawerOpen]);

  return (
    <div className="flex h-dvh overflow-hidden">
      <ActivitySync />
      {drawerOpen && (
        <button type="button" aria-label="Close sidebar" className="fixed inset-0 z-30 bg-black/40 md:hidden" onClick={() => setDrawerOpen(false)} />
      )}
      <aside
        id="sidebar"
        className={`${drawerOpen ? "flex" : "hidden"} fixed inset-y-0 left-0 z-40 w-72 max-w-[85vw] flex-col border-r border-zinc-200 bg-zinc-50 md:static md:flex`}
      >
        <Sidebar email={email} />
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <DatabaseBanner />
        <header className="flex items-center gap-2 border-b border-zinc-200 px-3 py-2 md:hidden">
          <button
            type="button"
            aria-label="Open sidebar"
            aria-controls="sidebar"
            aria-expanded={drawerOpen}
            onClick={() => setDrawerOpen(true)}
            className="rounded-lg p-2 hover:bg-zinc-100"
          >
            <svg aria-hidden width="20" height="20" viewBox="0 0 20 20" fill="currentColor">
              <path d="M3 5h14v2H3zM3 9h14v2H3zM3 13h14v2H3z" />
            </svg>
          </button>
          <span className="font-semibold">Threadline</span>
        </header>
        {children}
      </div>
    </div>
  );
}
