import type { Metadata } from "next";
import { requirePageSession } from "@/lib/auth/page-session";

export const metadata: Metadata = { title: "Security" };

export default async function SecurityPage() {
  // The layout already checked; pages check again because layouts do not
  // re-run on client navigation between pages that share them.
  await requirePageSession();
  return (
    <div className="space-y-8">
      <div>
        <p className="text-sm font-medium text-indigo-600 dark:text-indigo-400">Settings</p>
        <h1 className="text-2xl font-semibold tracking-tight">Security</h1>
      </div>
      <section aria-labelledby="api-tokens-heading" className="rounded-2xl border border-zinc-200 bg-white p-6 dark:border-zinc-800 dark:bg-zinc-900">
        <h2 id="api-tokens-heading" className="text-lg font-semibold">
          API tokens
        </h2>
      </section>
    </div>
  );
}
