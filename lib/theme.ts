/**
 * The colour theme: the system's (light or dark as the OS says, followed by CSS alone), or one chosen.
 * The choice is a cookie, so the server renders it into `<html data-theme>` and the first paint is
 * already right: no script has to run before it.
 */
export const THEMES = ["system", "light", "dark"] as const;
export type Theme = (typeof THEMES)[number];

export const THEME_COOKIE = "theme";
/** A year: a preference, not a session. */
export const THEME_COOKIE_MAX_AGE = 60 * 60 * 24 * 365;

export const parseTheme = (value: string | undefined): Theme => ((THEMES as readonly string[]).find((t) => t === value) as Theme | undefined) ?? "system";
