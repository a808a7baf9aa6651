import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { adminUsers } from "./admin-users";

/**
 * Outstanding WebAuthn challenges, in the database so any panel instance can
 * finish a ceremony another one started. Each is bound to one browser (a hash
 * of its cookie's CSRF key) and one purpose, lives about five minutes and is
 * used once: it is deleted as it is read (DELETE … RETURNING).
 */
export const webauthnChallenges = sqliteTable(
  "webauthn_challenges",
  {
    /** The random challenge, base64url, as it comes back in clientDataJSON. */
    challenge: text("challenge").primaryKey(),
    purpose: text("purpose", { enum: ["register", "login", "reauth"] }).notNull(),
    /** The admin the ceremony is for; null for a passwordless sign-in (any admin's passkey). */
    userId: integer("user_id").references(() => adminUsers.id, { onDelete: "cascade" }),
    /** Hex SHA-256 of the browser cookie's CSRF key: another browser cannot finish this ceremony. */
    browserHash: text("browser_hash").notNull(),
    /** Unix ms. */
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [
    // Purge of expired rows, and "one outstanding challenge per browser and purpose".
    index("webauthn_challenges_expires_at_idx").on(t.expiresAt),
    index("webauthn_challenges_browser_idx").on(t.browserHash, t.purpose),
  ],
);

export type WebauthnChallengeRow = typeof webauthnChallenges.$inferSelect;
export type ChallengePurpose = WebauthnChallengeRow["purpose"];
