import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { adminUsers } from "./admin-users";

/**
 * Single-use recovery codes of an admin with 2FA on (10 at a time). Only an
 * HMAC of each code under a key derived from the panel key is stored.
 */
export const recoveryCodes = sqliteTable(
  "recovery_codes",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: integer("user_id")
      .notNull()
      .references(() => adminUsers.id, { onDelete: "cascade" }),
    /** Hex HMAC-SHA256 of the normalised code. */
    codeHash: text("code_hash").notNull(),
    /** Unix ms. */
    createdAt: integer("created_at").notNull(),
    /** Unix ms it was used; null: still good. */
    usedAt: integer("used_at"),
  },
  (t) => [
    // Using a code: looked up by its hash (and the admin).
    uniqueIndex("recovery_codes_code_hash_uq").on(t.codeHash),
    // "codes left", and voiding an admin's codes.
    index("recovery_codes_user_id_idx").on(t.userId),
  ],
);
