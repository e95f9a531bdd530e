import type { BranchInfo } from "@/lib/messages";

/** "< 2 / 3 >" under a message that has other versions; each arrow shows that version's branch. */
export function BranchSwitcher({ branch, disabled, onSwitch }: { branch: BranchInfo; disabled: boolean; onSwitch: (messageId: string) => void }) {
  const button = "rounded px-1.5 py-0.5 hover:bg-zinc-100 disabled:opacity-40 disabled:hover:bg-transparent";
  return (
    <div role="group" aria-label="Versions" className="flex items-center gap-1 text-xs text-zinc-500">
      <button
        type="button"
        aria-label="Previous version"
        className={button}
        disabled={disabled || !branch.previousId}
        onClick={() => branch.previousId && onSwitch(branch.previousId)}
      >
        &lt;
      </button>
      <span>
        {branch.index + 1} / {branch.count}
      </span>
      <button
        type="button"
        aria-label="Next version"
        className={button}
        disabled={disabled || !branch.nextId}
        onClick={() => branch.nextId && onSwitch(branch.nextId)}
      >
        &gt;
      </button>
    </div>
  );
}
