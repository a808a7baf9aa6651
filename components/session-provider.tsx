"use client";

import { createContext, useContext, type ReactNode } from "react";

export interface ClientSession {
  username: string;
  /** Sent as X-CSRF-Token on every unsafe request of this session. */
  csrfToken: string;
}

const SessionContext = createContext<ClientSession | null>(null);

export function SessionProvider({ session, children }: { session: ClientSession; children: ReactNode }) {
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

export function useSession(): ClientSession {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession() outside <SessionProvider>");
  return session;
}
