import { sql } from "drizzle-orm";
import { integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * Panel administrators. Every admin is a full admin; there are no roles yet.
 * `password_hash` is a self-describing scrypt string (see lib/auth/password.ts),
 * so the KDF cost can be raised later without a migration.
 */
export const adminUsers = sqliteTable(
  "admin_users",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    username: text("username").notNull(),
    passwordHash: text("password_hash").notNull(),
    /** Unix ms. */
    createdAt: integer("created_at").notNull().default(sql`(unixepoch() * 1000)`),
    /** Unix ms of the last credential change; sessions older than this are void. */
    credentialsChangedAt: integer("credentials_changed_at").notNull().default(sql`(unixepoch() * 1000)`),
  },
  (t) => [
    // Login looks an admin up by name.
    uniqueIndex("admin_users_username_uq").on(t.username),
  ],
);

export type AdminUserRow = typeof adminUsers.$inferSelect;
