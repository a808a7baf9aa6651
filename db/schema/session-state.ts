import { integer, sqliteTable } from "drizzle-orm/sqlite-core";

/**
 * One row (id = 1) whose `generation` goes up, in the same transaction, with
 * every change that ends sessions (logout, revocation, credential change,
 * 2FA off, passkey removed). Each panel process verifies sessions from memory
 * and polls this number to know when that memory is stale
 * (lib/auth/session-cache.ts), as token_state does for tokens.
 */
export const sessionState = sqliteTable("session_state", {
  id: integer("id").primaryKey(),
  generation: integer("generation").notNull().default(0),
});
