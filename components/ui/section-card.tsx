import type { ReactNode } from "react";

export interface SectionCardProps {
  /** Id of the heading; the section is labelled by it. */
  headingId: string;
  title: string;
  description: ReactNode;
  /** Buttons or filters at the right of the header (below it on narrow screens). */
  actions?: ReactNode;
  children: ReactNode;
}

/** A titled card: the Security page's sections all look like this. */
export function SectionCard({ headingId, title, description, actions, children }: SectionCardProps) {
  return (
    <section
      aria-labelledby={headingId}
      className="rounded-2xl border border-zinc-200 bg-white shadow-sm dark:border-zinc-800 dark:bg-zinc-900"
    >
      <div className="flex flex-col gap-4 border-b border-zinc-200 p-5 md:flex-row md:items-end md:justify-between dark:border-zinc-800">
        <div>
          <h2 id={headingId} className="text-lg font-semibold tracking-tight">
            {title}
          </h2>
          <div className="mt-1 max-w-2xl text-sm text-zinc-600 dark:text-zinc-400">{description}</div>
        </div>
        {actions}
      </div>
      {children}
    </section>
  );
}
