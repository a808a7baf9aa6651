import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { LoginForm } from "@/components/login-form";
import { PasskeySignIn } from "@/components/passkey-sign-in";
import { safeNextPath } from "@/lib/auth/next-path";
import { DatabaseUnavailableNote } from "@/components/database-unavailable";
import { DATABASE_UNAVAILABLE, getPageSession } from "@/lib/auth/page-session";

export const metadata: Metadata = { title: "Log in" };

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string | string[]; changed?: string }>;
}) {
  const { next, changed } = await searchParams;
  const target = safeNextPath(typeof next === "string" ? next : undefined);
  const session = await getPageSession();
  if (session && session !== DATABASE_UNAVAILABLE) redirect(target);

  return (
    <main className="flex min-h-screen items-center justify-center px-4 py-12">
      <div className="w-full max-w-sm">
        <div className="mb-8 text-center">
          <div
            aria-hidden="true"
            className="mx-auto mb-4 flex h-11 w-11 items-center justify-center rounded-xl bg-indigo-600 text-lg font-bold text-white shadow-sm"
          >
            x
          </div>
          <h1 className="text-2xl font-semibold tracking-tight">Sign in to xui-panel</h1>
          <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">Administrator access</p>
        </div>
        {changed === "1" && (
          <p
            role="status"
            className="mb-4 rounded-lg border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900 dark:border-emerald-900 dark:bg-emerald-950/50 dark:text-emerald-100"
          >
            Your credentials were changed and every session was signed out. Sign in with the new ones.
          </p>
        )}
        {session === DATABASE_UNAVAILABLE && <DatabaseUnavailableNote className="mb-4" />}
        <div className="rounded-2xl border border-zinc-200 bg-white p-6 shadow-sm dark:border-zinc-800 dark:bg-zinc-900">
          <LoginForm next={target} />
          <div className="my-5 flex items-center gap-3 text-xs text-zinc-600 dark:text-zinc-400" aria-hidden="true">
            <span className="h-px flex-1 bg-zinc-200 dark:bg-zinc-800" />
            or
            <span className="h-px flex-1 bg-zinc-200 dark:bg-zinc-800" />
          </div>
          <PasskeySignIn next={target} />
        </div>
      </div>
    </main>
  );
}
