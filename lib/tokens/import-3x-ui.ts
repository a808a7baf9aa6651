import "server-only";
import { inArray, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { apiTokens } from "@/db/schema/api-tokens";
import type { AuditContext } from "@/lib/audit/context";
import { auditTokensWhere } from "@/lib/audit/record";
import { expiresAtMs, MSG, tokenName, tokenScope } from "./schemas";
import { nameKey } from "@/lib/display-name";
import { writeTokenChanges } from "./write";

/**
 * Import of API tokens from a 3x-ui database (its `api_tokens` table: `name`,
 * `token` = hex SHA-256 of the plaintext, `enabled`, `created_at` in Unix
 * seconds, and in newer versions `scope` and `expires_at` in Unix ms).
 *
 * The hashes are copied as they are: we store the same digest (lowercase hex
 * SHA-256), so every bot holding a 3x-ui token keeps working. Those tokens have
 * no `xui_` prefix; verifyBearerToken() looks them up by hash (format.ts).
 */

/** One row of 3x-ui's `api_tokens` as SQLite returns it; columns an older 3x-ui lacks are simply absent. */
export type XuiTokenRow = Record<string, unknown>;

export interface ImportedToken {
  id: number;
  name: string;
  /** Imported as it was: an expired token stays expired. */
  expired: boolean;
}

export interface SkippedRow {
  /** The row's name, or `row N` (1-based) when it has no usable one. */
  name: string;
  reason: string;
}

export interface ImportReport {
  imported: ImportedToken[];
  skipped: SkippedRow[];
}

export const IMPORT_MSG = {
  hashInvalid: "token is not a hex SHA-256 (64 hex digits)",
  enabledInvalid: "enabled is not a boolean (0/1)",
  createdAtInvalid: "created_at is not a Unix timestamp",
  alreadyPresent: "this token is already in the panel",
  nameTaken: MSG.nameTaken,
} as const;

/**
 * 3x-ui (gorm on SQLite) writes created_at in seconds; a value this large can
 * only be milliseconds (as seconds it would be past the year 5000). It is only
 * ever displayed, so reading it either way is harmless. expires_at gets no such
 * guessing: it is a security boundary, and a seconds value read as ms fails closed.
 */
const MS_THRESHOLD = 100_000_000_000;

const blankAsMissing = (v: unknown) => (v === "" || v === null ? undefined : v);
const integer = (v: unknown) => (typeof v === "bigint" ? Number(v) : v);

const xuiRow = z.object({
  name: tokenName,
  token: z
    .string({ error: IMPORT_MSG.hashInvalid })
    .trim()
    .regex(/^[0-9a-fA-F]{64}$/, IMPORT_MSG.hashInvalid)
    .transform((s) => s.toLowerCase()),
  // SQLite has no booleans: gorm stores 0/1 (some tools write "true"/"false").
  enabled: z.preprocess(
    (v) => {
      const n = integer(v);
      if (n === 1 || n === "1" || n === "true" || n === true) return true;
      if (n === 0 || n === "0" || n === "false" || n === false) return false;
      return n;
    },
    z.boolean({ error: IMPORT_MSG.enabledInvalid }).default(true),
  ),
  created_at: z.preprocess(
    (v) => integer(blankAsMissing(v)),
    z
      .number({ error: IMPORT_MSG.createdAtInvalid })
      .int(IMPORT_MSG.createdAtInvalid)
      .min(0, IMPORT_MSG.createdAtInvalid)
      .optional(),
  ),
  // Tokens of a 3x-ui without scopes were full-admin credentials.
  scope: z.preprocess(blankAsMissing, tokenScope.default("admin")),
  expires_at: z.preprocess((v) => integer(blankAsMissing(v)), expiresAtMs.default(0)),
});

interface Candidate {
  /** Position in the source, so the report follows the file's order. */
  row: number;
  name: string;
  tokenHash: string;
  enabled: boolean;
  scope: z.output<typeof tokenScope>;
  expiresAt: number;
  createdAt: number;
}

function candidateOf(row: XuiTokenRow, index: number, now: number): Candidate | string {
  const parsed = xuiRow.safeParse(row);
  if (!parsed.success) return parsed.error.issues[0]?.message ?? "invalid row";
  const r = parsed.data;
  const createdAt = r.created_at === undefined ? Math.floor(now / 1000) : r.created_at;
  return {
    row: index,
    name: r.name,
    tokenHash: r.token,
    enabled: r.enabled,
    scope: r.scope,
    expiresAt: r.expires_at,
    createdAt: createdAt >= MS_THRESHOLD ? Math.floor(createdAt / 1000) : createdAt,
  };
}

/**
 * Copies 3x-ui token rows in, in one transaction (a single `db.batch`). Rows
 * that fail validation are skipped with the reason; rows whose name or hash is
 * already taken are skipped too — decided by the UNIQUE indexes inside that
 * transaction (`ON CONFLICT DO NOTHING`), so a token created meanwhile through
 * the API cannot slip between a check and the insert.
 */
export async function importXuiTokens(
  db: Db,
  rows: readonly XuiTokenRow[],
  ctx: AuditContext,
  now = Date.now(),
): Promise<ImportReport> {
  const skipped: (SkippedRow & { row: number })[] = [];
  const candidates: Candidate[] = [];
  rows.forEach((row, index) => {
    const candidate = candidateOf(row, index, now);
    if (typeof candidate === "string") {
      const label = typeof row.name === "string" && row.name.trim() ? row.name.trim() : `row ${index + 1}`;
      skipped.push({ row: index, name: label, reason: candidate });
    } else {
      candidates.push(candidate);
    }
  });

  // Each insert is followed by its audit row, written only if the insert took
  // (`changes()` is the row count of the statement just before, same connection).
  // The generation bump makes a running server see the new hashes at once,
  // even ones it had cached as unknown.
  const results = await writeTokenChanges(
    db,
    candidates.map((c) => ({
      change: db
        .insert(apiTokens)
        .values({
          name: c.name,
          nameKey: nameKey(c.name),
          tokenHash: c.tokenHash,
          prefix: "",
          enabled: c.enabled,
          scope: c.scope,
          expiresAt: c.expiresAt,
          createdAt: c.createdAt,
        })
        .onConflictDoNothing()
        .returning({ id: apiTokens.id }),
      auditAfter: auditTokensWhere(db, ctx, "token.create", sql`${apiTokens.tokenHash} = ${c.tokenHash} AND changes() > 0`, now, {
        source: "3x-ui import",
        scope: c.scope,
      }),
    })),
  );

  const imported: ImportedToken[] = [];
  const collided: Candidate[] = [];
  candidates.forEach((c, i) => {
    const row = results[i]?.rows[0];
    if (row) imported.push({ id: row.id, name: c.name, expired: c.expiresAt !== 0 && c.expiresAt <= now });
    else collided.push(c);
  });
  if (collided.length > 0) {
    // Only to word the report; the batch above already decided.
    const existing = await db
      .select({ name: apiTokens.name, tokenHash: apiTokens.tokenHash })
      .from(apiTokens)
      .where(
        or(
          inArray(apiTokens.tokenHash, collided.map((c) => c.tokenHash)),
          inArray(apiTokens.name, collided.map((c) => c.name)),
        ),
      );
    const hashes = new Set(existing.map((e) => e.tokenHash));
    for (const c of collided) {
      skipped.push({ row: c.row, name: c.name, reason: hashes.has(c.tokenHash) ? IMPORT_MSG.alreadyPresent : IMPORT_MSG.nameTaken });
    }
  }
  skipped.sort((a, b) => a.row - b.row);
  return { imported, skipped: skipped.map(({ name, reason }) => ({ name, reason })) };
}
