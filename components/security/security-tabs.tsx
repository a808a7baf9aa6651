"use client";

import { useRef, useState, type KeyboardEvent } from "react";
import { ApiTokensSection } from "./api-tokens-section";
import { AuditLogSection } from "./audit-log-section";
import { CredentialsSection } from "./credentials-section";
import { SECURITY_TABS, type SecurityTab } from "./security-tab-ids";

/**
 * The Security page's sections as tabs (WAI-ARIA tabs pattern: arrow keys move
 * between tabs, Home/End jump). Only the active panel is mounted, and the tab
 * is kept in `?tab=` so reloads and links land on it.
 */
export function SecurityTabs({ initial }: { initial: SecurityTab }) {
  const [active, setActive] = useState<SecurityTab>(initial);
  const refs = useRef<Record<string, HTMLButtonElement | null>>({});

  function select(tab: SecurityTab, focus = false) {
    setActive(tab);
    const url = new URL(window.location.href);
    if (tab === "tokens") url.searchParams.delete("tab");
    else url.searchParams.set("tab", tab);
    window.history.replaceState(window.history.state, "", url);
    if (focus) refs.current[tab]?.focus();
  }

  function onKeyDown(event: KeyboardEvent) {
    const index = SECURITY_TABS.findIndex((t) => t.id === active);
    const last = SECURITY_TABS.length - 1;
    const next =
      event.key === "ArrowRight" ? (index === last ? 0 : index + 1)
      : event.key === "ArrowLeft" ? (index === 0 ? last : index - 1)
      : event.key === "Home" ? 0
      : event.key === "End" ? last
      : null;
    if (next === null) return;
    event.preventDefault();
    select(SECURITY_TABS[next]!.id, true);
  }

  return (
    <div className="space-y-6">
      <div role="tablist" aria-label="Security settings" onKeyDown={onKeyDown} className="flex gap-1 overflow-x-auto border-b border-zinc-200 dark:border-zinc-800">
        {SECURITY_TABS.map((tab) => {
          const selected = tab.id === active;
          return (
            <button
              key={tab.id}
              ref={(el) => {
                refs.current[tab.id] = el;
              }}
              id={`tab-${tab.id}`}
              type="button"
              role="tab"
              aria-selected={selected}
              aria-controls={`panel-${tab.id}`}
              tabIndex={selected ? 0 : -1}
              onClick={() => select(tab.id)}
              className={`-mb-px border-b-2 px-3 py-2 text-sm font-medium whitespace-nowrap transition focus-visible:outline-2 focus-visible:outline-offset-[-2px] focus-visible:outline-indigo-600 ${
                selected
                  ? "border-indigo-600 text-indigo-700 dark:border-indigo-400 dark:text-indigo-300"
                  : "border-transparent text-zinc-600 hover:border-zinc-300 hover:text-zinc-900 dark:text-zinc-400 dark:hover:text-zinc-100"
              }`}
            >
              {tab.label}
            </button>
          );
        })}
      </div>
      <div role="tabpanel" id={`panel-${active}`} aria-labelledby={`tab-${active}`}>
        {active === "tokens" && <ApiTokensSection />}
        {active === "credentials" && <CredentialsSection />}
        {active === "audit" && <AuditLogSection />}
      </div>
    </div>
  );
}
