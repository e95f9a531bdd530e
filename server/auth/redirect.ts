/**
 * Where to go after signing in: a plain path on this site, or "/". The callback comes from the
 * query string, so anyone can plant one in a link. A path that starts with "//" or "/\" is another
 * host to a browser (and to Next's client navigation), and URL parsing turns "/.//evil" into one,
 * so the check runs on the parsed result, not on the text.
 */
export function safeCallbackPath(value: unknown, siteOrigin: string): string {
  if (typeof value !== "string" || value.length === 0 || value.length > 2_000) return "/";
  let site: URL;
  let url: URL;
  try {
    site = new URL(siteOrigin);
    url = new URL(value, site);
  } catch {
    return "/";
  }
  // Only a path ("/…") or an absolute URL of this very site; never "evil.example" resolved as relative.
  const plainPath = value.startsWith("/") && !/^[/\\]{2}/.test(value);
  if (!plainPath && !/^https?:\/\//i.test(value)) return "/";
  if (url.origin !== site.origin) return "/";
  const path = url.pathname + url.search + url.hash;
  return /^\/(?![/\\])/.test(path) ? path : "/";
}
