import { config } from "@/server/config";

/**
 * The pages' Content-Security-Policy. Scripts run only with this response's nonce (Next puts it on
 * its own scripts) or when loaded by one of those ('strict-dynamic'): no other inline script, no
 * script from elsewhere. Development also needs eval (React's debugging) and the HMR websocket.
 */
export function contentSecurityPolicy(nonce: string, dev = config().NODE_ENV === "development"): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    // Next and the highlighter inject style elements; styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob: https://avatars.githubusercontent.com",
    "font-src 'self' data:",
    `connect-src 'self'${dev ? " ws: wss:" : ""}`,
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "object-src 'none'",
    // GitHub sign-in leaves through a form post that redirects to github.com.
    "form-action 'self' https://github.com",
  ].join("; ");
}

export const newNonce = () => btoa(crypto.randomUUID());
