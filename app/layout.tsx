import type { Metadata, Viewport } from "next";
import { cookies, headers } from "next/headers";
import type { ReactNode } from "react";
import { parseTheme, THEME_COOKIE } from "@/lib/theme";
import "./globals.css";

export const metadata: Metadata = {
  title: "Threadline",
  description: "Chat with AI agents; conversations that never lose their place.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

/**
 * Reading the request's headers makes every page render per request, which the CSP nonce needs:
 * a page prerendered at build time would carry scripts without this response's nonce. The theme
 * chosen (a cookie) is in the HTML itself, so the first paint has it (app/globals.css).
 */
export default async function RootLayout({ children }: { children: ReactNode }) {
  await headers();
  const theme = parseTheme((await cookies()).get(THEME_COOKIE)?.value);
  return (
    <html lang="en" data-theme={theme}>
      <body className="h-dvh">{children}</body>
    </html>
  );
}
