import { admit, frontDoorSettings, installProof } from "../../server/security/front-door.mjs";

/**
 * The request as the app sees it once the front door has handled it (server/security/front-door.mjs),
 * for tests that call server code without a server: `from` is the socket's address, `env` may set
 * TRUSTED_PROXY_HOPS.
 */
export function throughFrontDoor(request: Request, from = "127.0.0.1", env: Record<string, string> = {}): Request {
  const headers = Object.fromEntries(request.headers);
  admit(headers, { remoteAddress: from }, frontDoorSettings(env), installProof());
  return new Request(request, { headers: headers as Record<string, string> });
}
