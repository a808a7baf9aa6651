import { count, eq, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { adminUsers } from "@/db/schema/admin-users";
import { sessions } from "@/db/schema/sessions";
import { generatePassword, hashPassword, PASSWORD_MIN_LENGTH } from "./password";

export const DEFAULT_ADMIN_USERNAME = "admin";

export type BootstrapResult =
  | { created: false }
  | { created: true; username: string; source: "env" }
  | { created: true; username: string; source: "generated"; password: string };

/**
 * Creates the first admin if there is none: from ADMIN_USERNAME/ADMIN_PASSWORD
 * when both are set, otherwise `admin` with a random password that the caller
 * prints once. Never a fixed default. Safe when several instances start at
 * once: the insert only happens while the table is empty, so one wins.
 */
export async function ensureFirstAdmin(
  db: Db,
  env: { username?: string; password?: string },
): Promise<BootstrapResult> {
  const [existing] = await db.select({ n: count() }).from(adminUsers);
  if ((existing?.n ?? 0) > 0) return { created: false };

  const fromEnv = Boolean(env.username && env.password);
  const username = fromEnv ? env.username! : DEFAULT_ADMIN_USERNAME;
  const password = fromEnv ? env.password! : generatePassword();
  const passwordHash = await hashPassword(password);
  const now = Date.now();
  const inserted = await db.run(sql`
    INSERT INTO ${adminUsers} (username, password_hash, created_at, credentials_changed_at)
    SELECT ${username}, ${passwordHash}, ${now}, ${now}
    WHERE NOT EXISTS (SELECT 1 FROM ${adminUsers})`);
  if (inserted.rowsAffected === 0) return { created: false };
  return fromEnv ? { created: true, username, source: "env" } : { created: true, username, source: "generated", password };
}

export function weakPasswordReason(password: string): string | null {
  return [...password].length < PASSWORD_MIN_LENGTH
    ? `password must be at least ${PASSWORD_MIN_LENGTH} characters`
    : null;
}

/**
 * Sets an admin's password (creating the admin if needed) and ends all of its
 * sessions. The operator's way back in when the password is lost.
 */
export async function resetAdmin(db: Db, username: string, password: string): Promise<{ created: boolean }> {
  const passwordHash = await hashPassword(password);
  const now = Date.now();
  const existing = await db.select({ id: adminUsers.id }).from(adminUsers).where(eq(adminUsers.username, username)).get();
  if (existing) {
    await db.batch([
      db.update(adminUsers).set({ passwordHash, credentialsChangedAt: now }).where(eq(adminUsers.id, existing.id)),
      db.delete(sessions).where(eq(sessions.userId, existing.id)),
    ]);
    return { created: false };
  }
  await db.insert(adminUsers).values({ username, passwordHash, createdAt: now, credentialsChangedAt: now });
  return { created: true };
}
