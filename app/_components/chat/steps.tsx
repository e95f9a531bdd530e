import type { MessagePart, Step } from "@/lib/messages";

const MARKS: Record<string, string> = { plan: "◇", check: "✓", retry: "↻", answer: "→" };

/** A run of consecutive steps (plan, check, retry, answer, or a custom graph's own kinds) as a list. */
export function StepList({ steps }: { steps: Step[] }) {
  return (
    <ol aria-label="Steps" className="my-2 space-y-0.5 text-sm text-zinc-600">
      {steps.map((s, i) => (
        <li key={i} data-kind={s.kind} className="flex gap-2">
          <span aria-hidden className="w-4 text-center text-zinc-400">
            {MARKS[s.kind] ?? "•"}
          </span>
          <span>{s.label}</span>
        </li>
      ))}
    </ol>
  );
}

export type Block = { type: "steps"; steps: Step[]; at: number } | { type: "part"; part: Exclude<MessagePart, { type: "step" }>; at: number };

/** An answer's parts, with each run of consecutive steps gathered into one list. */
export function blocksOf(parts: MessagePart[]): Block[] {
  const blocks: Block[] = [];
  parts.forEach((part, at) => {
    const last = blocks.at(-1);
    if (part.type !== "step") blocks.push({ type: "part", part, at });
    else if (last?.type === "steps") last.steps.push({ kind: part.kind, label: part.label });
    else blocks.push({ type: "steps", steps: [{ kind: part.kind, label: part.label }], at });
  });
  return blocks;
}
