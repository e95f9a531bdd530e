import type { Metadata, Viewport } from "next";
import { headers } from "next/headers";
import type { ReactNode } from "react";
import "./globals.css";

export const metadata: Metadata = {
  title: "Threadline",
  description: "Chat with AI agents; conversations that never lose their place.",
};

export const viewport: Viewport = { width: "device-width", initialScale: 1 };

/**
 * Reading the request's headers makes every page render per request, which the CSP nonce needs:
 * a page prerendered at build time would carry scripts without this response's nonce.
 */
export default async function RootLayout({ children }: { children: ReactNode }) {
  await headers();
  return (
    <html lang="en">
      <body className="h-dvh">{children}</body>
    </html>
  );
}
