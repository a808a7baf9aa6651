import type { Metadata } from "next";
import { isSecurityTab } from "@/components/security/security-tab-ids";
import { SecurityTabs } from "@/components/security/security-tabs";
import { requirePageSession } from "@/lib/auth/page-session";

export const metadata: Metadata = { title: "Security" };

export default async function SecurityPage({ searchParams }: { searchParams: Promise<{ tab?: string | string[] }> }) {
  // The layout already checked; pages check again because layouts do not
  // re-run on client navigation between pages that share them.
  await requirePageSession();
  const { tab } = await searchParams;
  return (
    <div className="space-y-6">
      <div>
        <p className="text-sm font-medium text-indigo-600 dark:text-indigo-400">Settings</p>
        <h1 className="text-2xl font-semibold tracking-tight">Security</h1>
      </div>
      <SecurityTabs initial={isSecurityTab(tab) ? tab : "tokens"} />
    </div>
  );
}
