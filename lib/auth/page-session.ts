import "server-only";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { initDatabase } from "@/db";
import { serverConfig } from "@/lib/config";
import { isDatabaseUnavailable } from "@/lib/db/errors";
import { noteUnavailable } from "@/lib/db/outage";
import { parseBrowserCookie, SESSION_COOKIE } from "@/lib/http/session-cookie";
import { sessionPolicy } from "./request-auth";
import { csrfTokenFor } from "./secrets";
import { resolveSession, type SessionUser } from "./sessions";
import { safeNextPath } from "./next-path";

export interface PageSession extends SessionUser {
  csrfToken: string;
}

/** What a page gets instead of a session while the database cannot be reached: it says so instead of failing. */
export const DATABASE_UNAVAILABLE = "database-unavailable";

/** The signed-in admin of this page request, or null, or DATABASE_UNAVAILABLE. For server components only. */
export async function getPageSession(): Promise<PageSession | null | typeof DATABASE_UNAVAILABLE> {
  const cookie = parseBrowserCookie((await cookies()).get(SESSION_COOKIE)?.value);
  try {
    const { db } = await initDatabase();
    const session = await resolveSession(db, cookie?.sessionId, sessionPolicy(serverConfig()));
    return session && cookie ? { ...session, csrfToken: csrfTokenFor(cookie.csrfKey) } : null;
  } catch (error) {
    if (!isDatabaseUnavailable(error)) throw error;
    noteUnavailable("pages", error);
    return DATABASE_UNAVAILABLE;
  }
}

/** The signed-in admin (or DATABASE_UNAVAILABLE), or a redirect to /login that comes back to this page afterwards. */
export async function requirePageSession(): Promise<PageSession | typeof DATABASE_UNAVAILABLE> {
  const session = await getPageSession();
  if (session) return session;
  const here = safeNextPath((await headers()).get("x-pathname"));
  redirect(`/login?next=${encodeURIComponent(here)}`);
}
