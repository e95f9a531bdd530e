/**
 * Search snippets come from Postgres's ts_headline with these around each matched word: private-use
 * characters, which the server removes from the text before it asks for the headline, so that only
 * its own marks remain. The browser turns them into <mark> elements as text, never as HTML.
 */
export const MARK_START = "\uE000";
export const MARK_END = "\uE001";

export interface Segment {
  text: string;
  marked: boolean;
}

/** A marked-up snippet as plain-text segments, the marked ones to be highlighted. Stray marks are dropped. */
export function markedSegments(snippet: string): Segment[] {
  const out: Segment[] = [];
  const push = (text: string, marked: boolean) => {
    if (!text) return;
    const last = out.at(-1);
    if (last && last.marked === marked) last.text += text;
    else out.push({ text, marked });
  };
  const [before, ...rest] = snippet.split(MARK_START);
  push(before!.replaceAll(MARK_END, ""), false);
  for (const piece of rest) {
    const end = piece.indexOf(MARK_END);
    if (end < 0) {
      push(piece, false);
      continue;
    }
    push(piece.slice(0, end), true);
    push(piece.slice(end + 1).replaceAll(MARK_END, ""), false);
  }
  return out;
}
