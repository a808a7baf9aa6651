import "server-only";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { initDatabase } from "@/db";
import { serverConfig } from "@/lib/config";
import { parseBrowserCookie, SESSION_COOKIE } from "@/lib/http/session-cookie";
import { sessionPolicy } from "./request-auth";
import { csrfTokenFor } from "./secrets";
import { resolveSession, type SessionUser } from "./sessions";
import { safeNextPath } from "./next-path";

export interface PageSession extends SessionUser {
  csrfToken: string;
}

/** The signed-in admin of this page request, or null. For server components only. */
export async function getPageSession(): Promise<PageSession | null> {
  const cookie = parseBrowserCookie((await cookies()).get(SESSION_COOKIE)?.value);
  const { db } = await initDatabase();
  const session = await resolveSession(db, cookie?.sessionId, sessionPolicy(serverConfig()));
  return session && cookie ? { ...session, csrfToken: csrfTokenFor(cookie.csrfKey) } : null;
}

/** The signed-in admin, or a redirect to /login that comes back to this page afterwards. */
export async function requirePageSession(): Promise<PageSession> {
  const session = await getPageSession();
  if (session) return session;
  const here = safeNextPath((await headers()).get("x-pathname"));
  redirect(`/login?next=${encodeURIComponent(here)}`);
}
