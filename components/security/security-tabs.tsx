"use client";

import { Tabs } from "radix-ui";
import { useState, type ComponentType } from "react";
import { ApiTokensSection } from "./api-tokens-section";
import { AuditLogSection } from "./audit-log-section";
import { CredentialsSection } from "./credentials-section";
import { SessionsSection } from "./sessions-section";
import { PasskeysSection } from "./passkeys-section";
import { PoliciesSection } from "./policies-section";
import { TwoFactorSection } from "./two-factor-section";
import { WebhooksSection } from "./webhooks-section";
import { isSecurityTab, SECURITY_TABS, type SecurityTab } from "./security-tab-ids";

const SECTIONS: Record<SecurityTab, ComponentType> = {
  tokens: ApiTokensSection,
  policies: PoliciesSection,
  credentials: CredentialsSection,
  sessions: SessionsSection,
  passkeys: PasskeysSection,
  "two-factor": TwoFactorSection,
  webhooks: WebhooksSection,
  audit: AuditLogSection,
};

/**
 * The Security page's sections as tabs (Radix: arrow keys move between tabs,
 * Home/End jump). Only the active panel is mounted; the tab is kept in `?tab=`
 * so reloads and links land on it. On a phone the tabs wrap into a grid, all
 * of them in sight.
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
      <Tabs.List aria-label="Security settings" className="grid grid-cols-3 gap-x-1 border-b border-zinc-200 sm:flex dark:border-zinc-800">
        {SECURITY_TABS.map((tab) => (
          <Tabs.Trigger
            key={tab.id}
            value={tab.id}
            className="-mb-px border-b-2 border-transparent px-2 py-2 text-sm leading-tight sm:px-3 font-medium text-zinc-600 sm:whitespace-nowrap transition hover:border-zinc-300 hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-offset-[-2px] focus-visible:outline-indigo-600 data-[state=active]:border-indigo-600 data-[state=active]:text-indigo-700 dark:text-zinc-400 dark:hover:text-zinc-100 dark:data-[state=active]:border-indigo-400 dark:data-[state=active]:text-indigo-300"
          >
            {tab.label}
          </Tabs.Trigger>
        ))}
      </Tabs.List>
      {SECURITY_TABS.map((tab) => {
        const Section = SECTIONS[tab.id];
        return (
          <Tabs.Content
            key={tab.id}
            value={tab.id}
            className="rounded-2xl focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
          >
            <Section />
          </Tabs.Content>
        );
      })}
    </Tabs.Root>
  );
}
