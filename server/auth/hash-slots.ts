import { config } from "@/server/config";
import { Unavailable } from "@/server/errors";
import { metrics } from "@/server/observability/metrics";

export const SERVER_BUSY = "The server is busy. Try again in a moment.";

// On globalThis: Next bundles this module more than once (the auth route, the server actions), and
// the cap is the process's, not one bundle's.
const state = ((globalThis as unknown as { __threadlineHashSlots?: { running: number; peak: number; line: (() => void)[] } }).__threadlineHashSlots ??= {
  running: 0,
  peak: 0,
  line: [],
});

/**
 * Runs a bcrypt hash or compare in one of this instance's slots. Each costs ~0.3 s of the process's
 * one JavaScript thread, so a burst of sign-ins (any email will do) would starve every other
 * request. At most PASSWORD_HASH_CONCURRENCY run at once; up to PASSWORD_HASH_QUEUE more wait in
 * line, so a few people signing in at the same second are served rather than refused; beyond that,
 * Unavailable at once, before any hashing. The line is bounded, so neither its memory nor a wait in
 * it grows with an attack: the longest wait is the line's length over the slots, times one hash.
 */
export async function withHashSlot<T>(hash: () => Promise<T>): Promise<T> {
  const m = metrics();
  if (state.running < config().PASSWORD_HASH_CONCURRENCY) state.running++;
  else if (state.line.length < config().PASSWORD_HASH_QUEUE) await new Promise<void>((resolve) => state.line.push(resolve));
  else {
    m.passwordHashesRefused.inc();
    throw new Unavailable(SERVER_BUSY);
  }
  // A slot is ours now: taken above, or handed over by the hash that finished before us.
  m.passwordHashesRunning.set(state.running);
  if (state.running > state.peak) m.passwordHashesPeak.set((state.peak = state.running));
  try {
    return await hash();
  } finally {
    const next = state.line.shift();
    if (next) next();
    else m.passwordHashesRunning.set(--state.running);
  }
}
