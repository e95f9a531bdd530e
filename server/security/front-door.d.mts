import type { IncomingHttpHeaders } from "node:http";

export const ADDRESS_HEADER: "x-threadline-client-address";
export const PROOF_HEADER: "x-threadline-front-door";

export interface FrontDoorSettings {
  trustedProxyHops: number;
  hstsMaxAge: number;
}

export function frontDoorSettings(env: Record<string, string | undefined>): FrontDoorSettings;
export function admit(
  headers: IncomingHttpHeaders,
  socket: { remoteAddress?: string; encrypted?: boolean },
  settings: FrontDoorSettings,
  proof: string,
): string | null;
export function installProof(): string;
export function vouched(headers: Pick<Headers, "get">): boolean;
export function frontDoorInstalled(): boolean;
