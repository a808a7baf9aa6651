import type { ReactNode } from "react";
import { PanelHeader } from "@/components/panel-header";
import { ReauthPromptProvider } from "@/components/reauth/reauth-prompt";
import { SessionProvider } from "@/components/session-provider";
import { ToastProvider } from "@/components/ui/toast";
import { DatabaseUnavailableNote } from "@/components/database-unavailable";
import { DATABASE_UNAVAILABLE, requirePageSession } from "@/lib/auth/page-session";

export default async function PanelLayout({ children }: { children: ReactNode }) {
  const session = await requirePageSession();
  if (session === DATABASE_UNAVAILABLE) {
    return (
      <main className="mx-auto max-w-xl px-4 py-16">
        <DatabaseUnavailableNote retry />
      </main>
    );
  }
  return (
    <SessionProvider session={{ username: session.username, csrfToken: session.csrfToken }}>
      <ToastProvider>
        <ReauthPromptProvider>
          <div className="min-h-screen">
            <PanelHeader username={session.username} />
            <main className="mx-auto max-w-6xl px-4 py-8 sm:px-6">{children}</main>
          </div>
        </ReauthPromptProvider>
      </ToastProvider>
    </SessionProvider>
  );
}
