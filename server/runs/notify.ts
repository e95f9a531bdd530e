import pg from "pg";
import { databaseOutage } from "@/server/database-outage";

/**
 * Postgres LISTEN/NOTIFY as a wake-up signal. Payloads are ids only (NOTIFY allows 8,000 bytes):
 * the data stays in tables. One listening connection per process, outside the pool; while it is
 * down, waiters fall back to polling, and it reconnects with backoff.
 */
export const CHANNELS = {
  events: "threadline_run_events",
  control: "threadline_run_control",
  activity: "threadline_user_activity",
  sessions: "threadline_session_ended",
} as const;
type Channel = (typeof CHANNELS)[keyof typeof CHANNELS];

type Listener = (payload: string) => void;

class NotificationHub {
  private client: pg.Client | null = null;
  private readonly listeners = new Map<Channel, Set<Listener>>();
  private connecting: Promise<void> | null = null;
  private retryMs = 250;
  private closed = false;
  connected = false;

  constructor(private readonly url: string) {
    // Backoff grows during a long outage; when the pool finds Postgres again, listening resumes at once.
    databaseOutage().onChange((down) => {
      if (down || this.connected) return;
      this.retryMs = 250;
      void this.ensureConnected();
    });
  }

  on(channel: Channel, listener: Listener): () => void {
    let set = this.listeners.get(channel);
    if (!set) this.listeners.set(channel, (set = new Set()));
    set.add(listener);
    void this.ensureConnected();
    return () => set.delete(listener);
  }

  private ensureConnected(): Promise<void> {
    if (this.connected || this.closed) return Promise.resolve();
    return (this.connecting ??= this.connect().finally(() => (this.connecting = null)));
  }

  private async connect() {
    const client = new pg.Client({ connectionString: this.url });
    client.on("error", () => this.dropped(client));
    client.on("end", () => this.dropped(client));
    client.on("notification", (msg) => {
      for (const listener of this.listeners.get(msg.channel as Channel) ?? []) listener(msg.payload ?? "");
    });
    try {
      await client.connect();
      for (const channel of Object.values(CHANNELS)) await client.query(`LISTEN ${channel}`);
      this.client = client;
      this.connected = true;
      this.retryMs = 250;
    } catch {
      await client.end().catch(() => undefined);
      this.scheduleReconnect();
    }
  }

  private dropped(client: pg.Client) {
    if (this.client !== client) return;
    this.client = null;
    this.connected = false;
    this.scheduleReconnect();
  }

  private scheduleReconnect() {
    if (this.closed) return;
    const wait = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, 10_000);
    setTimeout(() => void this.ensureConnected(), wait).unref();
  }

  /** Listeners over every channel: each follower removes its own when it ends, so this stays flat. */
  listenerCount(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }

  /** For tests: drop the listening connection as a network fault would. */
  async simulateDrop() {
    await this.client?.end();
  }

  async close() {
    this.closed = true;
    await this.client?.end().catch(() => undefined);
  }
}

const cache = globalThis as unknown as { __threadlineHubs?: Map<string, NotificationHub> };
export function notificationHub(url: string): NotificationHub {
  const hubs = (cache.__threadlineHubs ??= new Map());
  let hub = hubs.get(url);
  if (!hub) hubs.set(url, (hub = new NotificationHub(url)));
  return hub;
}
export type { NotificationHub };
