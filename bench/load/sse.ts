/**
 * The baselines' wire: POST a JSON body, read the answer back as server-sent events. Each event is
 * one `data:` line; `{"t": "..."}` carries words, `{"end": "ok" | "<error>"}` ends the answer.
 */
export interface SseHandlers {
  /** The response's headers arrived: the server accepted the message. */
  onAccepted(): void;
  onWords(): void;
}

export async function postForEvents(url: string, body: unknown, on: SseHandlers): Promise<{ ok: boolean; error?: string }> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!res.ok || !res.body) return { ok: false, error: `HTTP ${res.status}` };
  on.onAccepted();
  const decoder = new TextDecoder();
  let buffered = "";
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    buffered += decoder.decode(value, { stream: true });
    let cut: number;
    while ((cut = buffered.indexOf("\n\n")) >= 0) {
      const line = buffered.slice(0, cut);
      buffered = buffered.slice(cut + 2);
      if (!line.startsWith("data: ")) continue;
      const event = JSON.parse(line.slice(6)) as { t?: string; end?: string };
      if (event.t) on.onWords();
      if (event.end) {
        await reader.cancel();
        return event.end === "ok" ? { ok: true } : { ok: false, error: event.end };
      }
    }
  }
  return { ok: false, error: "the stream ended without an end event" };
}

/** The server side of the same wire. */
export const sseHeaders = { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" } as const;
export const sseEvent = (event: { t: string } | { end: string }) => `data: ${JSON.stringify(event)}\n\n`;
