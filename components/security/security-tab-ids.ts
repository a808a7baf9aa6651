/** Tab ids of the Security page; shared by the server page (reads ?tab=) and the client tabs. */
export const SECURITY_TABS = [
  { id: "tokens", label: "API tokens" },
  { id: "policies", label: "Token policies" },
  { id: "credentials", label: "Admin credentials" },
  { id: "sessions", label: "Sessions" },
  { id: "passkeys", label: "Passkeys" },
  { id: "two-factor", label: "Two-factor" },
  { id: "webhooks", label: "Webhooks" },
  { id: "audit", label: "Audit log" },
] as const;
export type SecurityTab = (typeof SECURITY_TABS)[number]["id"];

export function isSecurityTab(value: unknown): value is SecurityTab {
  return SECURITY_TABS.some((t) => t.id === value);
}
