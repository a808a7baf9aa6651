import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { adminUsers } from "./admin-users";

/**
 * WebAuthn credentials (passkeys) of the admins. Only what a relying party
 * keeps: the credential's id and public key (COSE), never private key material,
 * which stays in the authenticator.
 */
export const passkeys = sqliteTable(
  "passkeys",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: integer("user_id")
      .notNull()
      .references(() => adminUsers.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** The authenticator's credential id, base64url. */
    credentialId: text("credential_id").notNull(),
    /** The credential's COSE public key, base64url. */
    publicKey: text("public_key").notNull(),
    /** The authenticator's signature counter as last seen (0 for authenticators that keep none). */
    signCount: integer("sign_count").notNull().default(0),
    /** JSON array of transport hints (`internal`, `usb`, `hybrid`…), sent back in excludeCredentials. */
    transports: text("transports").notNull().default("[]"),
    /** `singleDevice` or `multiDevice` (a synced passkey). */
    deviceType: text("device_type", { enum: ["singleDevice", "multiDevice"] }).notNull(),
    backedUp: integer("backed_up", { mode: "boolean" }).notNull().default(false),
    /** Unix ms. */
    createdAt: integer("created_at").notNull(),
    /** Unix ms of the last sign-in or confirmation with it; null until then. */
    lastUsedAt: integer("last_used_at"),
  },
  (t) => [
    // A sign-in finds its passkey by the credential id the browser returns.
    uniqueIndex("passkeys_credential_id_uq").on(t.credentialId),
    // The Security page lists an admin's passkeys.
    index("passkeys_user_id_idx").on(t.userId),
  ],
);

export type PasskeyRow = typeof passkeys.$inferSelect;
