"use client";

import { Tabs } from "radix-ui";
import { useState } from "react";
import { ApiTokensSection } from "./api-tokens-section";
import { AuditLogSection } from "./audit-log-section";
import { CredentialsSection } from "./credentials-section";
import { SessionsSection } from "./sessions-section";
import { PasskeysSection } from "./passkeys-section";
import { TwoFactorSection } from "./two-factor-section";
import { isSecurityTab, SECURITY_TABS, type SecurityTab } from "./security-tab-ids";

/**
 * The Security page's sections as tabs (Radix: arrow keys move between tabs,
 * Home/End jump). Only the active panel is mounted; the tab is kept in `?tab=`
 * so reloads and links land on it.
 */
export function SecurityTabs({ initial }: { initial: SecurityTab }) {
  const [active, setActive] = useState<SecurityTab>(initial);

  function select(value: string) {
    if (!isSecurityTab(value)) return;
    setActive(value);
    // A tab is a view, not a filter: a fresh query (the token list's own parameters belong to its tab).
    const url = value === "tokens" ? window.location.pathname : `${window.location.pathname}?tab=${value}`;
    window.history.replaceState(null, "", url);
  }

  return (
    <Tabs.Root value={active} onValueChange={select} className="space-y-6">
      <Tabs.List aria-label="Security settings" className="flex gap-1 overflow-x-auto border-b border-zinc-200 dark:border-zinc-800">
        {SECURITY_TABS.map((tab) => (
          <Tabs.Trigger
            key={tab.id}
            value={tab.id}
            className="-mb-px border-b-2 border-transparent px-3 py-2 text-sm font-medium whitespace-nowrap text-zinc-600 transition hover:border-zinc-300 hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-offset-[-2px] focus-visible:outline-indigo-600 data-[state=active]:border-indigo-600 data-[state=active]:text-indigo-700 dark:text-zinc-400 dark:hover:text-zinc-100 dark:data-[state=active]:border-indigo-400 dark:data-[state=active]:text-indigo-300"
          >
            {tab.label}
          </Tabs.Trigger>
        ))}
      </Tabs.List>
      <Tabs.Content value="tokens" className="rounded-2xl focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600">
        <ApiTokensSection />
      </Tabs.Content>
      <Tabs.Content value="credentials" className="rounded-2xl focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600">
        <CredentialsSection />
      </Tabs.Content>
      <Tabs.Content value="sessions" className="rounded-2xl focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600">
        <SessionsSection />
      </Tabs.Content>
      <Tabs.Content value="passkeys" className="rounded-2xl focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600">
        <PasskeysSection />
      </Tabs.Content>
      <Tabs.Content value="two-factor" className="rounded-2xl focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600">
        <TwoFactorSection />
      </Tabs.Content>
      <Tabs.Content value="audit" className="rounded-2xl focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600">
        <AuditLogSection />
      </Tabs.Content>
    </Tabs.Root>
  );
}
