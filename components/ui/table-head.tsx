const HEAD = "px-4 py-2.5 text-left text-xs font-semibold tracking-wide text-zinc-500 uppercase dark:text-zinc-400";

/**
 * Column headers for the responsive tables: shown from `md` up; below that
 * each cell carries its own small label and rows become cards. An empty
 * string is a column without a visible title (given to screen readers as `srLabel`).
 */
export function TableHead({ columns, srLabel = "Actions" }: { columns: string[]; srLabel?: string }) {
  return (
    <thead className="hidden bg-zinc-50 md:table-header-group dark:bg-zinc-900/60">
      <tr>
        {columns.map((title, i) => (
          <th key={i} scope="col" className={HEAD}>
            {title || <span className="sr-only">{srLabel}</span>}
          </th>
        ))}
      </tr>
    </thead>
  );
}
