"use client";
import { usePathname } from "next/navigation";
import { useEffect, useState, type ReactNode } from "react";
import { ActivitySync } from "./activity-sync";
import { useShortcut } from "@/app/_lib/shortcuts";
import { Conversation } from "./chat/conversation";
import { DatabaseBanner } from "./database-banner";
import { ShortcutsDialog } from "./shortcuts-dialog";
import { Sidebar } from "./sidebar";

/**
 * Sidebar beside the page on wide screens; a drawer behind a menu button on phones.
 *
 * The new conversation (the home page, "/") is the shell's own, not the route's: New chat shows it at
 * once, with no server round trip, and its first message creates the conversation. The address
 * changes with `history.pushState`, which Next's router follows without a navigation, so text typed
 * right after the click stays where it was typed; the previous conversation is gone from the page
 * in the same render as the click, so nothing can be sent into it.
 */
export function AppShell({ email, children }: { email: string; children: ReactNode }) {
  const [drawerOpen, setDrawerOpen] = useState(false);
  const pathname = usePathname();
  // Each New chat is a fresh conversation, even on the home page already.
  const [newChats, setNewChats] = useState(0);
  // The path New chat was clicked on, until the address says "/": the new conversation shows from the click on.
  const [leaving, setLeaving] = useState<string | null>(null);
  // Following a link inside the drawer closes it.
  const [lastPath, setLastPath] = useState(pathname);
  if (pathname !== lastPath) {
    setLastPath(pathname);
    setDrawerOpen(false);
    setLeaving(null);
  }
  const home = pathname === "/" || leaving === pathname;
  const newChat = () => {
    setNewChats((n) => n + 1);
    setDrawerOpen(false);
    if (pathname !== "/") {
      setLeaving(pathname);
      window.history.pushState(null, "", "/");
    }
  };
  useShortcut("newChat", newChat);
  useEffect(() => {
    if (!drawerOpen) return;
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && setDrawerOpen(false);
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [drawerOpen]);

  return (
    <div className="flex h-dvh overflow-hidden">
      <ActivitySync />
      <ShortcutsDialog />
      {drawerOpen && (
        <button type="button" aria-label="Close sidebar" className="fixed inset-0 z-30 bg-black/40 md:hidden" onClick={() => setDrawerOpen(false)} />
      )}
      <aside
        id="sidebar"
        className={`${drawerOpen ? "flex" : "hidden"} fixed inset-y-0 left-0 z-40 w-72 max-w-[85vw] flex-col border-r border-zinc-200 bg-zinc-50 md:static md:flex`}
      >
        <Sidebar email={email} onNewChat={newChat} />
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
        {home ? <Conversation key={newChats} autoFocus={newChats > 0} /> : children}
      </div>
    </div>
  );
}
