"use client";
import { useId, useState } from "react";
import { useModalDialog } from "@/app/_lib/modal-dialog";
import { keysOf, SHORTCUTS, type Shortcut, useShortcut } from "@/app/_lib/shortcuts";

/** `?` opens it: every shortcut with its keys. A native modal <dialog>: it traps focus, Escape closes it, focus goes back. */
export function ShortcutsDialog() {
  const [open, setOpen] = useState(false);
  const ref = useModalDialog(open);
  const titleId = useId();
  useShortcut("showShortcuts", () => setOpen(true));

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      aria-modal="true"
      onClose={() => setOpen(false)}
      className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-2xl bg-white p-6 text-zinc-900 shadow-xl backdrop:bg-black/40"
    >
      <div className="flex items-center justify-between gap-4">
        <h2 id={titleId} className="text-lg font-semibold">
          Keyboard shortcuts
        </h2>
        <button type="button" onClick={() => setOpen(false)} className="rounded-lg px-2 py-1 text-sm font-medium hover:bg-zinc-100">
          Close
        </button>
      </div>
      {open && (
        <table className="mt-4 w-full text-sm">
          <tbody>
            {Object.values(SHORTCUTS).map((s: Shortcut) => (
              <tr key={s.label} className="border-t border-zinc-200">
                <th scope="row" className="py-2 pr-4 text-left font-normal">
                  {s.label}
                </th>
                <td className="py-2 text-right whitespace-nowrap">
                  {keysOf(s).map((k, i) => (
                    <kbd key={i} className="ml-1 rounded border border-zinc-300 bg-zinc-50 px-1.5 py-0.5 font-mono text-xs">
                      {k}
                    </kbd>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </dialog>
  );
}
