/**
 * The front door: what the server process does to each request before Next sees it. Next fills in
 * X-Forwarded-For only when it is absent, so a client's own value reaches the app and the socket's
 * address is lost; it also believes any X-Forwarded-Host and X-Forwarded-Proto. Only the process
 * that holds the socket can tell which forwarded entries a trusted proxy wrote, so this runs there:
 * front-door-preload.mjs applies `admit` to every request (Node's --import, given by `npm start`,
 * `npm run dev` and the test servers). Plain JavaScript, because Node loads it before Next and
 * without TypeScript tooling; its types are in front-door.d.mts.
 *
 * The app believes the address stamped here only when the request also carries this process's
 * proof, a random value no client can know: started without the front door (a bare `next start`),
 * every address reads as unknown instead of as whatever the client claimed.
 */

/** The client's address as the front door determined it. */
export const ADDRESS_HEADER = "x-threadline-client-address";
/** This process's proof that the front door handled the request (always overwritten). */
export const PROOF_HEADER = "x-threadline-front-door";

const FORWARDED = ["x-forwarded-host", "x-forwarded-proto", "x-forwarded-port"];
const PROOF = Symbol.for("threadline.front-door.proof");
// A rate-limit key, not a place for a client's essay (IPv6 with a zone is well under this).
const MAX_ADDRESS = 100;

/**
 * TRUSTED_PROXY_HOPS and HSTS_MAX_AGE, parsed as server/config.ts parses them (a test holds the two
 * to the same answers): the preload cannot load that TypeScript module. `npm start` checks them
 * with config() before Next starts, so this only throws when Next is started some other way.
 */
export function frontDoorSettings(env) {
  return { trustedProxyHops: wholeNumber(env, "TRUSTED_PROXY_HOPS", 0), hstsMaxAge: wholeNumber(env, "HSTS_MAX_AGE", 15_552_000) };
}

function wholeNumber(env, name, fallback) {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = raw.trim();
  if (!/^\d+$/.test(value) || Number(value) > Number.MAX_SAFE_INTEGER) throw new Error(`${name} must be a whole number, 0 or more, got ${JSON.stringify(raw)}`);
  return Number(value);
}

/**
 * Rewrites one request's headers (Node's lower-cased `req.headers`) in place, as a proxy would:
 * the socket's address is appended to X-Forwarded-For, and the client's address is the entry
 * `trustedProxyHops` from the right (0: the socket itself). X-Forwarded-Host, -Proto and -Port are
 * believed only from a trusted proxy: with no hops they are removed (Next then fills them in from
 * Host and the socket), otherwise each keeps the one value the outermost trusted proxy wrote.
 * Returns the Strict-Transport-Security value when the request came over HTTPS, else null.
 */
export function admit(headers, socket, { trustedProxyHops: hops, hstsMaxAge }, proof) {
  const chain = [...entries(headers["x-forwarded-for"]), socket.remoteAddress || "unknown"];
  headers["x-forwarded-for"] = chain.join(", ");
  headers[ADDRESS_HEADER] = chain[Math.max(0, chain.length - 1 - hops)].slice(0, MAX_ADDRESS);
  for (const name of FORWARDED) {
    const given = entries(headers[name]);
    // Proxies that append write one entry each, the outermost first; those that overwrite, one.
    const trusted = hops > 0 ? given[Math.max(0, given.length - hops)] : undefined;
    if (trusted === undefined) delete headers[name];
    else headers[name] = trusted;
  }
  headers[PROOF_HEADER] = proof;
  const https = headers["x-forwarded-proto"] ? headers["x-forwarded-proto"] === "https" : Boolean(socket.encrypted);
  return https && hstsMaxAge > 0 ? `max-age=${hstsMaxAge}` : null;
}

function entries(value) {
  if (value === undefined) return [];
  return String(value)
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
}

/** This process's proof, made on first use; the preload calls it before any request. */
export function installProof() {
  return (globalThis[PROOF] ??= crypto.randomUUID());
}

/** Whether the front door handled this request (a Web `Headers`, as route handlers see it). */
export function vouched(headers) {
  const proof = globalThis[PROOF];
  return typeof proof === "string" && headers.get(PROOF_HEADER) === proof;
}

/** Whether the front door runs in this process at all. */
export function frontDoorInstalled() {
  return typeof globalThis[PROOF] === "string";
}
