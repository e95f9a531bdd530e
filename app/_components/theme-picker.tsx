"use client";
import { useSyncExternalStore } from "react";
import { parseTheme, type Theme, THEME_COOKIE, THEME_COOKIE_MAX_AGE, THEMES } from "@/lib/theme";

const LABELS: Record<Theme, string> = { system: "System", light: "Light", dark: "Dark" };

/** The theme `<html>` carries (the root layout renders it from the cookie); any picker on the page follows a change. */
const subscribe = (onChange: () => void) => {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
  return () => observer.disconnect();
};
const current = () => parseTheme(document.documentElement.dataset.theme);

/** Applies a theme at once and keeps it for the next page load (read by app/layout.tsx). */
function choose(theme: Theme) {
  document.documentElement.dataset.theme = theme;
  document.cookie = `${THEME_COOKIE}=${theme}; path=/; max-age=${THEME_COOKIE_MAX_AGE}; samesite=lax`;
}

/** System, Light or Dark. */
export function ThemePicker({ className = "" }: { className?: string }) {
  const theme = useSyncExternalStore(subscribe, current, () => "system" as const);
  return (
    <label className={`flex items-center gap-2 ${className}`}>
      <span>Theme</span>
      <select
        value={theme}
        onChange={(e) => choose(parseTheme(e.target.value))}
        className="rounded-lg border border-zinc-300 bg-white px-2 py-1 text-sm text-zinc-900"
      >
        {THEMES.map((t) => (
          <option key={t} value={t}>
            {LABELS[t]}
          </option>
        ))}
      </select>
    </label>
  );
}
