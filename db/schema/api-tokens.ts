import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { EXPIRY_NEVER_SORT_KEY, TOKEN_SCOPES } from "./constants";

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
    /**
     * The name as compared (lib/display-name.ts `nameKey`: NFKC, case
     * folded): "Grafana" and "ｇｒａｆａｎａ" are one name. Null only until
     * start-up fills it in for tokens from before this column (lib/tokens/name-keys.ts).
     */
    nameKey: text("name_key"),
    /** Free text for admins (what the token is for), up to 500 characters; `""` = none. */
    description: text("description").notNull().default(""),
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
    /** Requests per minute this token may make, counted across every instance; 0 = no limit. */
    rateLimitPerMinute: integer("rate_limit_per_minute").notNull().default(0),
    /**
     * Unix ms of the last time a rotated-out secret of this token was presented
     * after its grace period (someone still holds the old secret); 0 = never.
     * Written at most once a minute per token per instance.
     */
    reuseDetectedAt: integer("reuse_detected_at").notNull().default(0),
    /**
     * A decoy: it never authorises anything (it is answered exactly as an
     * unknown token), and every use is audited as `token.canary_triggered`.
     */
    canary: integer("canary", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [
    // Bearer verification: one indexed point lookup per request, never a scan.
    uniqueIndex("api_tokens_token_hash_uq").on(t.tokenHash),
    // Names are unique; the index is also what makes concurrent creates race-safe.
    uniqueIndex("api_tokens_name_uq").on(t.name),
    uniqueIndex("api_tokens_name_key_uq").on(t.nameKey),
    // Verification during a rotation's grace period looks the old plaintext up here.
    uniqueIndex("api_tokens_previous_token_hash_uq").on(t.previousTokenHash),
    // The paged list (lib/tokens/list.ts): one index per sort, keyed exactly as its ORDER BY
    // and keyset condition, `(key, id)`, so a page is an index range scan in either direction.
    // sort=name: `ORDER BY name COLLATE NOCASE, id` (case-insensitive, as admins read names).
    index("api_tokens_name_nocase_idx").on(sql`${t.name} COLLATE NOCASE`, t.id),
    // sort=created (the default, -created): `ORDER BY created_at, id`.
    index("api_tokens_created_idx").on(t.createdAt, t.id),
    // sort=lastUsed: `ORDER BY last_used_at, id`.
    index("api_tokens_last_used_idx").on(t.lastUsedAt, t.id),
    // sort=expiry: `ORDER BY <never last>, id`; the expression must match the query's text for SQLite to use it.
    index("api_tokens_expiry_idx").on(
      sql`(CASE WHEN ${t.expiresAt} = 0 THEN ${sql.raw(String(EXPIRY_NEVER_SORT_KEY))} ELSE ${t.expiresAt} END)`,
      t.id,
    ),
  ],
);

export type ApiTokenRow = typeof apiTokens.$inferSelect;
