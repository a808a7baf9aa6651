import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { adminUsers } from "./admin-users";

/**
 * An admin's TOTP state (RFC 6238). Secrets are stored only as AES-256-GCM
 * boxes under a key derived from the panel key (lib/crypto/panel-key.ts); the
 * database alone cannot produce a code. A row without `enabled_at` is a setup
 * in progress.
 */
export const twoFactor = sqliteTable("two_factor", {
  userId: integer("user_id")
    .primaryKey()
    .references(() => adminUsers.id, { onDelete: "cascade" }),
  /** The confirmed secret's box; null while 2FA is off. */
  secretBox: text("secret_box"),
  /** The secret being set up (shown once, confirmed by a code), or null. */
  pendingSecretBox: text("pending_secret_box"),
  /** Unix ms the admin turned 2FA on; null: off. */
  enabledAt: integer("enabled_at"),
  /**
   * The newest 30-second time step whose code was accepted. A code is accepted
   * only by the update that raises it (`WHERE last_step < :step`), so each code
   * works once, also when sent in parallel or to two instances.
   */
  lastStep: integer("last_step").notNull().default(0),
});

export type TwoFactorRow = typeof twoFactor.$inferSelect;
