import "server-only";
import { count, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { adminUsers, type AdminUserRow } from "@/db/schema/admin-users";
import { isUniqueViolation } from "@/lib/db/errors";
import { DomainError } from "@/lib/errors";
import type { AuditContext } from "@/lib/audit/context";
import { auditStatement } from "@/lib/audit/record";
import { commit } from "@/lib/db/commit";
import { throttledPasswordCheck, type ThrottlePolicy } from "./credential-guard";
import { commitEndingSessions } from "./session-ends";
import {
  decoyPasswordHash,
  generatePassword,
  hashPassword,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  verifyPassword,
} from "./password";

export const DEFAULT_ADMIN_USERNAME = "admin";

/**
 * The admin with this username and password, or null. An unknown username is
 * checked against a decoy hash so both failures cost the same time.
 */
export async function findAdminByPassword(db: Db, username: string, password: string): Promise<AdminUserRow | null> {
  const row = await db.select().from(adminUsers).where(eq(adminUsers.username, username)).get();
  const ok = await verifyPassword(password, row?.passwordHash ?? (await decoyPasswordHash()));
  return row && ok ? row : null;
}

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
    await commitEndingSessions(db, existing.id, null, [
      db.update(adminUsers).set({ passwordHash, credentialsChangedAt: now }).where(eq(adminUsers.id, existing.id)),
    ]);
    return { created: false };
  }
  await commit(db, [db.insert(adminUsers).values({ username, passwordHash, createdAt: now, credentialsChangedAt: now })]);
  return { created: true };
}

export const CREDENTIALS_MSG = {
  wrongCurrent: "current username or password is incorrect",
  usernameRequired: "new username is required",
  usernameTooLong: "new username must be 64 characters or fewer",
  usernameChars: "new username must not contain spaces or control characters",
  usernameTaken: "that username is already taken",
  passwordTooShort: `new password must be at least ${PASSWORD_MIN_LENGTH} characters`,
  passwordTooLong: `new password must be ${PASSWORD_MAX_LENGTH} characters or fewer`,
  fieldsRequired: "oldUsername, oldPassword, newUsername and newPassword are required",
} as const;

export const updateCredentialsBody = z.object({
  oldUsername: z.string({ error: CREDENTIALS_MSG.fieldsRequired }).max(128, CREDENTIALS_MSG.wrongCurrent),
  oldPassword: z.string({ error: CREDENTIALS_MSG.fieldsRequired }).max(PASSWORD_MAX_LENGTH, CREDENTIALS_MSG.wrongCurrent),
  newUsername: z
    .string({ error: CREDENTIALS_MSG.fieldsRequired })
    .transform((s) => s.trim())
    .pipe(
      z
        .string()
        .min(1, CREDENTIALS_MSG.usernameRequired)
        .refine((s) => [...s].length <= 64, CREDENTIALS_MSG.usernameTooLong)
        .refine((s) => !/[\s\p{Cc}\p{Cf}]/u.test(s), CREDENTIALS_MSG.usernameChars),
    ),
  newPassword: z
    .string({ error: CREDENTIALS_MSG.fieldsRequired })
    .refine((s) => [...s].length >= PASSWORD_MIN_LENGTH, CREDENTIALS_MSG.passwordTooShort)
    .refine((s) => [...s].length <= PASSWORD_MAX_LENGTH, CREDENTIALS_MSG.passwordTooLong),
});
export type UpdateCredentialsInput = z.output<typeof updateCredentialsBody>;

/**
 * Changes an admin's username and/or password after checking the current
 * ones. Every session of that admin ends (sessions opened before the change
 * are void by `credentials_changed_at` and their rows are deleted), so a
 * stolen session cannot outlive a password change; the caller signs in again.
 */
export async function updateCredentials(
  db: Db,
  input: UpdateCredentialsInput,
  ctx: AuditContext,
  policy: ThrottlePolicy,
  now = Date.now(),
): Promise<void> {
  // The current password is a password check like login: same throttle.
  const user = await throttledPasswordCheck(
    db,
    { ip: ctx.ip, username: input.oldUsername },
    policy,
    { message: CREDENTIALS_MSG.wrongCurrent, action: "credentials.change" },
    () => findAdminByPassword(db, input.oldUsername, input.oldPassword),
    now,
  );

  const passwordHash = await hashPassword(input.newPassword);
  try {
    await commitEndingSessions(db, user.id, null, [
      db
        .update(adminUsers)
        .set({ username: input.newUsername, passwordHash, credentialsChangedAt: now })
        .where(eq(adminUsers.id, user.id)),
      auditStatement(
        db,
        ctx,
        {
          action: "credentials.change",
          target: { type: "admin", id: user.id, name: input.newUsername },
          detail: {
            ...(input.newUsername !== user.username && { previousUsername: user.username }),
            passwordChanged: true,
          },
        },
        now,
      ),
    ]);
  } catch (error) {
    if (isUniqueViolation(error, "admin_users.username")) throw new DomainError(CREDENTIALS_MSG.usernameTaken);
    throw error;
  }
}
