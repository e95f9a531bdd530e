import { ADDRESS_HEADER, vouched } from "./front-door.mjs";

/**
 * The client's address, as the front door determined it from the socket and the trusted proxy hops
 * (front-door.mjs). A request that did not pass the front door, because Next was started without it,
 * has an unknown address: never one the client wrote. Every per-address limit keys on this. Takes
 * a request or its headers (a server action's `await headers()` too).
 */
export function clientAddress(from: Request | Pick<Headers, "get"> | undefined): string {
  // Headers first: the object from next/headers has a private `headers` field of its own.
  const headers =
    from && typeof (from as Partial<Pick<Headers, "get">>).get === "function" ? (from as Pick<Headers, "get">) : (from as Request | undefined)?.headers;
  return (headers && vouched(headers) && headers.get(ADDRESS_HEADER)) || "unknown";
}
