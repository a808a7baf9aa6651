import type { TokenScope } from "@/db/schema/constants";
import { SCOPE_INFO } from "@/lib/tokens/scopes-info";

const TONES: Record<TokenScope, string> = {
  admin: "bg-red-50 text-red-700 ring-red-600/20 dark:bg-red-500/10 dark:text-red-300 dark:ring-red-400/30",
  monitor: "bg-sky-50 text-sky-700 ring-sky-600/20 dark:bg-sky-500/10 dark:text-sky-300 dark:ring-sky-400/30",
  "node-sync":
    "bg-violet-50 text-violet-700 ring-violet-600/20 dark:bg-violet-500/10 dark:text-violet-300 dark:ring-violet-400/30",
};

export function ScopeBadge({ scope }: { scope: TokenScope }) {
  return (
    <span
      title={SCOPE_INFO[scope].summary}
      className={`inline-flex items-center whitespace-nowrap rounded-md px-2 py-0.5 font-mono text-xs font-medium ring-1 ring-inset ${TONES[scope]}`}
    >
      {SCOPE_INFO[scope].label}
    </span>
  );
}
