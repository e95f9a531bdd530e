import type { ReactNode } from "react";

/** One settings section: a bordered box with its heading and what it does. */
export function Section({ title, children }: { title: string; children: ReactNode }) {
  const id = `section-${title.toLowerCase().replace(/\W+/g, "-")}`;
  return (
    <section aria-labelledby={id} className="space-y-3 rounded-xl border border-zinc-200 px-4 py-4">
      <h2 id={id} className="font-medium">
        {title}
      </h2>
      {children}
    </section>
  );
}
