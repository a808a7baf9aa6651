import type { TokenScope } from "@/db/schema/constants";

/** How each scope is explained to admins (Security page, docs): a few words, and one line. */
export const SCOPE_INFO: Record<TokenScope, { label: string; short: string; summary: string }> = {
  admin: { label: "admin", short: "full access", summary: "Full access to every API route, including managing tokens." },
  monitor: { label: "monitor", short: "read-only status", summary: "Read-only: server status and its own token details, nothing else." },
  "node-sync": {
    label: "node-sync",
    short: "node sync",
    summary: "For a central panel syncing this node: the node-sync allowlist (server status).",
  },
};
