"use client";
import { useEffect, useLayoutEffect, useRef } from "react";

/**
 * The app's keyboard shortcuts, in one list: each component that acts on one registers it with
 * `useShortcut`, and the "Keyboard shortcuts" dialog shows this list. `mod` is Ctrl, or ⌘ on a Mac.
 *
 * While typing in a field, only shortcuts with modifiers fire (nobody types Ctrl+Shift+O as text);
 * `?` types a question mark there, and Escape belongs to the field (clearing search, cancelling a
 * rename), except in the composer, where it stops the answer. Nothing fires while a modal dialog is
 * open: the dialog has the keyboard.
 */
export const SHORTCUTS = {
  newChat: { label: "New chat", key: "o", mod: true, shift: true, inFields: "all" },
  search: { label: "Search conversations", key: "k", mod: true, inFields: "all" },
  focusComposer: { label: "Focus the message box", key: "Escape", shift: true, inFields: "all" },
  stop: { label: "Stop the answer", key: "Escape", inFields: "composer" },
  previousConversation: { label: "Previous conversation", key: "ArrowUp", alt: true, shift: true, inFields: "all" },
  nextConversation: { label: "Next conversation", key: "ArrowDown", alt: true, shift: true, inFields: "all" },
  copyLastAnswer: { label: "Copy the last answer", key: "c", mod: true, shift: true, inFields: "all" },
  showShortcuts: { label: "Show keyboard shortcuts", key: "?", inFields: "none" },
} as const satisfies Record<string, Shortcut>;

export interface Shortcut {
  label: string;
  /** KeyboardEvent.key, compared without case. */
  key: string;
  mod?: boolean;
  shift?: boolean;
  alt?: boolean;
  /** Where, of the fields one types in, it fires. */
  inFields: "all" | "composer" | "none";
}
export type ShortcutName = keyof typeof SHORTCUTS;

/** The composer's element id (app/_components/composer.tsx). */
export const COMPOSER_ID = "composer";

function matches(s: Shortcut, e: KeyboardEvent): boolean {
  if (e.key.toLowerCase() !== s.key.toLowerCase()) return false;
  if (Boolean(s.mod) !== (e.ctrlKey || e.metaKey) || Boolean(s.alt) !== e.altKey) return false;
  // "?" is itself a shifted key: its Shift is part of the key, not a modifier of it.
  return s.key === "?" || Boolean(s.shift) === e.shiftKey;
}

function typingIn(target: EventTarget | null): HTMLElement | null {
  if (!(target instanceof HTMLElement)) return null;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return target;
  if (target instanceof HTMLInputElement && !["button", "checkbox", "radio", "submit", "reset", "range", "color"].includes(target.type)) return target;
  return null;
}

const modalOpen = () => document.querySelector("dialog[open], [aria-modal=true]:not(dialog)") !== null;

/** Whether the key press is this shortcut, here. */
export function isShortcut(name: ShortcutName, e: KeyboardEvent): boolean {
  const s: Shortcut = SHORTCUTS[name];
  if (e.defaultPrevented || e.isComposing || !matches(s, e) || modalOpen()) return false;
  const field = typingIn(e.target);
  return !field || s.inFields === "all" || (s.inFields === "composer" && field.id === COMPOSER_ID);
}

/** Runs `action` on the shortcut, anywhere on the page, while `enabled`. */
export function useShortcut(name: ShortcutName, action: () => void, enabled = true) {
  // The latest action, so the listener sees what the page shows now. (useEffectEvent was seen to run
  // an older render's action here: Ctrl+Shift+C copied a half-written answer.)
  const latest = useRef(action);
  useLayoutEffect(() => {
    latest.current = action;
  });
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      if (!isShortcut(name, e)) return;
      e.preventDefault();
      latest.current();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [name, enabled]);
}

const onMac = () => typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
const KEY_NAMES: Record<string, string> = { Escape: "Esc", ArrowUp: "↑", ArrowDown: "↓" };

/** The keys to press, as shown: ["Ctrl", "Shift", "O"] (["⌘", "Shift", "O"] on a Mac). */
export function keysOf(s: Shortcut): string[] {
  return [
    ...(s.mod ? [onMac() ? "⌘" : "Ctrl"] : []),
    ...(s.alt ? [onMac() ? "⌥" : "Alt"] : []),
    ...(s.shift ? ["Shift"] : []),
    KEY_NAMES[s.key] ?? s.key.toUpperCase(),
  ];
}

/** For aria-keyshortcuts: "Control+Shift+O Meta+Shift+O". */
export function ariaKeysOf(s: Shortcut): string {
  const key = s.key.length === 1 ? s.key.toUpperCase() : s.key;
  const rest = [...(s.alt ? ["Alt"] : []), ...(s.shift ? ["Shift"] : []), key].join("+");
  return s.mod ? `Control+${rest} Meta+${rest}` : rest;
}
