/**
 * What the domain says when it refuses: each error carries the message the user reads. Domain
 * modules throw these and know nothing of transports; server/trpc turns them into tRPC errors
 * (init.ts), and anything else that is thrown stays an internal error whose cause is logged, never shown.
 */
export abstract class DomainError extends Error {
  abstract readonly kind: "not-found" | "conflict" | "rate-limited" | "unavailable" | "invalid";
}

/** Missing, or someone else's: the two are told apart nowhere. */
export class NotFound extends DomainError {
  readonly kind = "not-found";
}

/** The request clashes with the current state (an answer in progress, a decision already made). */
export class Conflict extends DomainError {
  readonly kind = "conflict";
}

export class RateLimited extends DomainError {
  readonly kind = "rate-limited";
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** This instance cannot serve it now (shutting down, a dependency down); trying again may work. */
export class Unavailable extends DomainError {
  readonly kind = "unavailable";
}

/** Well-formed input the domain still refuses (say, tool arguments that do not fit the tool). */
export class Invalid extends DomainError {
  readonly kind = "invalid";
}
