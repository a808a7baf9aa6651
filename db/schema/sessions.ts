import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { adminUsers } from "./admin-users";

/**
 * Browser sessions. The cookie carries a random id; only its SHA-256 is stored,
 * so a copy of the database cannot be replayed as a login.
 */
export const sessions = sqliteTable(
  "sessions",
  {
    /** Lowercase hex SHA-256 of the cookie value. */
    idHash: text("id_hash").primaryKey(),
    userId: integer("user_id")
      .notNull()
      .references(() => adminUsers.id, { onDelete: "cascade" }),
    /** Unix ms. */
    createdAt: integer("created_at").notNull(),
    /** Unix ms; refreshed at most once a minute to keep reads write-free. */
    lastSeenAt: integer("last_seen_at").notNull(),
    /** Unix ms; the absolute end of the session whatever its activity. */
    expiresAt: integer("expires_at").notNull(),
    /** Unix ms of the last password, code or passkey confirmation (the login itself counts): "sudo mode". */
    authenticatedAt: integer("authenticated_at").notNull().default(0),
    ip: text("ip").notNull().default(""),
    userAgent: text("user_agent").notNull().default(""),
  },
  (t) => [
    // "end every other session of this admin" after a credential change.
    index("sessions_user_id_idx").on(t.userId),
    // Periodic purge of expired rows.
    index("sessions_expires_at_idx").on(t.expiresAt),
  ],
);

export type SessionRow = typeof sessions.$inferSelect;
