import type { UiMessage } from "./messages";

/**
 * A message of a shared conversation's snapshot: as the UI shows it, without what only its owner
 * may see or do (its versions, the ids of the owner's memories recalled for it).
 */
export type SharedMessage = UiMessage;

/** A share link's path: the page any visitor, signed in or not, can open. */
export const sharePath = (id: string) => `/share/${id}`;

/** What a share id looks like: 128 random bits, base64url (22 characters). */
export const SHARE_ID = /^[A-Za-z0-9_-]{22}$/;
