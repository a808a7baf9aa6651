import { sql } from "drizzle-orm";
import { integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { TOKEN_SCOPES } from "./constants";

// Browser code imports these from ./constants, never from this (Drizzle) file.
export { TOKEN_SCOPES, type TokenScope } from "./constants";

/**
 * Bearer tokens for bots and other panels. The plaintext is never stored: only
 * its SHA-256 (lowercase hex), the same digest 3x-ui keeps, so tokens imported
 * from a 3x-ui database keep working.
 */
export const apiTokens = sqliteTable(
  "api_tokens",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull(),
    /**
     * The first characters of the plaintext (`xui_` + 4), shown so admins can
     * tell tokens apart; far too short to help guess the 178 random bits.
     */
    prefix: text("prefix").notNull().default(""),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    scope: text("scope", { enum: TOKEN_SCOPES }).notNull().default("admin"),
    /** Unix ms; 0 = never. */
    expiresAt: integer("expires_at").notNull().default(0),
    /** Unix seconds (the peer's unit). */
    createdAt: integer("created_at").notNull().default(sql`(unixepoch())`),
    /** Unix seconds of the last successful use, 0 = never; written at most once a minute per token. */
    lastUsedAt: integer("last_used_at").notNull().default(0),
    lastUsedIp: text("last_used_ip").notNull().default(""),
    /** JSON array of normalised CIDRs the token may be used from; `[]` = anywhere. */
    allowedIps: text("allowed_ips").notNull().default("[]"),
    /**
     * After a rotation with a grace period: the hash of the replaced plaintext,
     * accepted until `previous_valid_until` (Unix ms). Null when there is none.
     */
    previousTokenHash: text("previous_token_hash"),
    previousValidUntil: integer("previous_valid_until").notNull().default(0),
  },
  (t) => [
    // Bearer verification: one indexed point lookup per request, never a scan.
    uniqueIndex("api_tokens_token_hash_uq").on(t.tokenHash),
    // Names are unique; the index is also what makes concurrent creates race-safe.
    uniqueIndex("api_tokens_name_uq").on(t.name),
    // Verification during a rotation's grace period looks the old plaintext up here.
    uniqueIndex("api_tokens_previous_token_hash_uq").on(t.previousTokenHash),
  ],
);

export type ApiTokenRow = typeof apiTokens.$inferSelect;
