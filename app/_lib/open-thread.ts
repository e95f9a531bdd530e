"use client";
import { usePathname } from "next/navigation";

/**
 * The conversation the address bar names, or null. Read from the path, not `useParams`: New chat
 * changes the address without a navigation (app-shell.tsx), and the params still name the page the
 * router last rendered.
 */
export function useOpenThreadId(): string | null {
  return /^\/c\/([^/]+)$/.exec(usePathname())?.[1] ?? null;
}
