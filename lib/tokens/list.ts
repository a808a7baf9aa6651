import "server-only";
import { createHash } from "node:crypto";
import { and, asc, count, desc, eq, gt, lte, ne, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "@/db/client";
import { containsText } from "@/lib/db/like";
import { apiTokens, type ApiTokenRow, type TokenScope } from "@/db/schema/api-tokens";
import { EXPIRY_NEVER_SORT_KEY } from "@/db/schema/constants";
import {
  EXPIRES_SOON_MS,
  TOKEN_LIST_LIMIT_DEFAULT,
  TOKEN_LIST_LIMIT_MAX,
  TOKEN_LIST_Q_MAX_CHARS,
  TOKEN_SORT_DEFAULT,
  TOKEN_SORTS,
  TOKEN_STATUSES,
  type TokenSortKey,
  type TokenStatus,
} from "./list-options";
import { tokenScope, type TokenPage } from "./schemas";
import { viewOf } from "./view";
import { readTokenPolicy } from "./policy";
import type { TokenPolicy } from "./policy-rules";
import { violatesPolicy } from "./policy-where";

/**
 * The token list, read in keyset order (never OFFSET): pages of the paged
 * list, and the id-ordered batches the unpaged list streams.
 */

export const LIST_MSG = {
  limit: `limit must be an integer from 1 to ${TOKEN_LIST_LIMIT_MAX}`,
  q: `q must be at most ${TOKEN_LIST_Q_MAX_CHARS} characters`,
  scope: "scope must be 'admin', 'monitor', or 'node-sync'",
  status: `status must be one of ${TOKEN_STATUSES.join(", ")}`,
  sort: `sort must be one of ${TOKEN_SORTS.join(", ")} (optionally prefixed with -)`,
  cursor: "invalid cursor",
} as const;

interface Filters {
  q: string;
  scope: TokenScope | null;
  status: TokenStatus | null;
}

interface Cursor {
  /** Which way from the boundary row: the page after it, or the page before it. */
  dir: "next" | "prev";
  key: string | number;
  id: number;
}

export interface TokenListOptions {
  limit: number;
  sort: { key: TokenSortKey; descending: boolean };
  filters: Filters;
  cursor: Cursor | null;
}

/** Longer than any cursor this code makes (a 64-character name, 4 bytes each, in base64). */
const CURSOR_MAX_CHARS = 512;

const queryValue = (doc: string) => z.string().optional().describe(doc);

/**
 * `GET …/apiTokens?limit=&cursor=&q=&scope=&status=&sort=`. Any of them, even
 * empty, asks for a page (`paged`); none at all is the peer's full array. An
 * empty value is the default (no filter).
 */
export const tokenListQuery = z
  .object({
    limit: queryValue(`Page size, 1–${TOKEN_LIST_LIMIT_MAX}; default ${TOKEN_LIST_LIMIT_DEFAULT}.`),
    cursor: queryValue("`nextCursor` or `prevCursor` of a page with the same sort, q, scope and status."),
    q: queryValue(
      `Search, up to ${TOKEN_LIST_Q_MAX_CHARS} characters: a case-insensitive part of the name, or the start of the prefix (\`xui_AbCd\`).`,
    ),
    scope: queryValue("Only tokens of this scope: `admin`, `monitor` or `node-sync`."),
    status: queryValue(
      "`enabled` (and not expired), `disabled`, `expired`, or `expiring` (enabled, expiring within 7 days).",
    ),
    sort: queryValue(
      "`name`, `created`, `lastUsed` or `expiry` (never-expiring tokens after every date), `-` first for descending; default `-created`. Ties go by id.",
    ),
  })
  .transform((raw, ctx): ({ paged: false } | ({ paged: true } & TokenListOptions)) => {
    if (Object.values(raw).every((v) => v === undefined)) return { paged: false };
    const fail = (param: keyof typeof raw, message: string) => {
      ctx.addIssue({ code: "custom", path: [param], message });
      return z.NEVER;
    };
    const limitText = raw.limit ?? "";
    if (limitText !== "" && !/^[1-9][0-9]{0,2}$/.test(limitText)) return fail("limit", LIST_MSG.limit);
    const limit = limitText === "" ? TOKEN_LIST_LIMIT_DEFAULT : Number(limitText);
    if (limit > TOKEN_LIST_LIMIT_MAX) return fail("limit", LIST_MSG.limit);

    const q = (raw.q ?? "").trim();
    if ([...q].length > TOKEN_LIST_Q_MAX_CHARS) return fail("q", LIST_MSG.q);

    const scopeText = (raw.scope ?? "").trim().toLowerCase();
    const scope = scopeText === "" ? null : tokenScope.safeParse(scopeText).data;
    if (scope === undefined) return fail("scope", LIST_MSG.scope);

    const statusText = raw.status ?? "";
    const status = statusText === "" ? null : TOKEN_STATUSES.find((s) => s === statusText);
    if (status === undefined) return fail("status", LIST_MSG.status);

    const sortText = raw.sort || TOKEN_SORT_DEFAULT;
    const descending = sortText.startsWith("-");
    const key = TOKEN_SORTS.find((s) => s === (descending ? sortText.slice(1) : sortText));
    if (!key) return fail("sort", LIST_MSG.sort);

    const options = { limit, sort: { key, descending }, filters: { q, scope, status } };
    const cursor = raw.cursor ? decodeCursor(raw.cursor, options) : null;
    if (cursor === undefined) return fail("cursor", LIST_MSG.cursor);
    return { paged: true, ...options, cursor };
  });
export type TokenListQuery = z.output<typeof tokenListQuery>;

/**
 * Each sort's key, written exactly as its index in db/schema/api-tokens.ts is
 * (SQLite only uses an expression index for the same expression).
 */
const SORT_KEYS: Record<TokenSortKey, { sql: SQL; of(row: ApiTokenRow): string | number }> = {
  name: { sql: sql`${apiTokens.name} COLLATE NOCASE`, of: (row) => row.name },
  created: { sql: sql`${apiTokens.createdAt}`, of: (row) => row.createdAt },
  lastUsed: { sql: sql`${apiTokens.lastUsedAt}`, of: (row) => row.lastUsedAt },
  expiry: {
    sql: sql`(CASE WHEN ${apiTokens.expiresAt} = 0 THEN ${sql.raw(String(EXPIRY_NEVER_SORT_KEY))} ELSE ${apiTokens.expiresAt} END)`,
    of: (row) => (row.expiresAt === 0 ? EXPIRY_NEVER_SORT_KEY : row.expiresAt),
  },
};

/**
 * A cursor is the boundary row's sort key and id, which way to go, and a hash
 * of the sort and filters it was made for (a cursor of another listing would
 * silently skip or repeat rows, so it is refused instead).
 */
function fingerprint(options: Pick<TokenListOptions, "sort" | "filters">): string {
  const { sort, filters } = options;
  const material = JSON.stringify([sort.key, sort.descending, filters.q, filters.scope, filters.status]);
  return createHash("sha256").update(material).digest("base64url").slice(0, 12);
}

function encodeCursor(options: TokenListOptions, dir: Cursor["dir"], row: { key: string | number; id: number }): string {
  return Buffer.from(JSON.stringify([fingerprint(options), dir === "next" ? "n" : "p", row.key, row.id])).toString("base64url");
}

/** The cursor, or undefined when it is malformed or made for another sort or filter. */
function decodeCursor(text: string, options: Omit<TokenListOptions, "cursor">): Cursor | undefined {
  if (text.length > CURSOR_MAX_CHARS || !/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parts) || parts.length !== 4) return undefined;
  const [print, dir, key, id] = parts as unknown[];
  if (print !== fingerprint(options) || (dir !== "n" && dir !== "p")) return undefined;
  const keyOk = options.sort.key === "name" ? typeof key === "string" : Number.isSafeInteger(key);
  if (!keyOk || !Number.isSafeInteger(id) || (id as number) < 1) return undefined;
  return { dir: dir === "n" ? "next" : "prev", key: key as string | number, id: id as number };
}

const notExpired = (now: number) => or(eq(apiTokens.expiresAt, 0), gt(apiTokens.expiresAt, now))!;

const STATUS_WHERE: Record<TokenStatus, (now: number, policy: TokenPolicy) => SQL> = {
  enabled: (now) => and(eq(apiTokens.enabled, true), notExpired(now))!,
  disabled: () => eq(apiTokens.enabled, false),
  expired: (now) => and(ne(apiTokens.expiresAt, 0), lte(apiTokens.expiresAt, now))!,
  expiring: (now) => and(eq(apiTokens.enabled, true), gt(apiTokens.expiresAt, now), lte(apiTokens.expiresAt, now + EXPIRES_SOON_MS))!,
  violating: violatesPolicy,
};

/** Name contains q (ASCII case folded, as SQLite's LIKE does), or, for `xui_…`, the prefix starts with it. */
function matchesQ(q: string): SQL {
  const byName = containsText(apiTokens.name, q);
  if (!q.startsWith("xui_")) return byName;
  return or(byName, sql`substr(${apiTokens.prefix}, 1, ${[...q].length}) = ${q}`)!;
}

function filterWhere(filters: Filters, now: number, policy: TokenPolicy): SQL | undefined {
  const conditions: SQL[] = [];
  if (filters.scope) conditions.push(eq(apiTokens.scope, filters.scope));
  if (filters.status) conditions.push(STATUS_WHERE[filters.status](now, policy));
  if (filters.q) conditions.push(matchesQ(filters.q));
  return conditions.length ? and(...conditions) : undefined;
}

/**
 * Rows after (ascending) or before (descending) `row` in (key, id) order. The
 * first term alone bounds the index range; a row value `(key, id) > (…)` would
 * be one too for plain columns, but SQLite does not use it on the NOCASE and
 * expression indexes and scans from the start instead.
 */
function beyond(key: SQL, ascending: boolean, row: { key: string | number; id: number }): SQL {
  return ascending
    ? sql`(${key} >= ${row.key} AND (${key} > ${row.key} OR ${apiTokens.id} > ${row.id}))`
    : sql`(${key} <= ${row.key} AND (${key} < ${row.key} OR ${apiTokens.id} < ${row.id}))`;
}

/** One page: `limit` views in the sort's order, the filtered total, and cursors to the neighbouring pages. */
export async function listTokenPage(db: Db, options: TokenListOptions, now = Date.now()): Promise<TokenPage> {
  const { limit, cursor } = options;
  const sortKey = SORT_KEYS[options.sort.key];
  const policy = await readTokenPolicy(db);
  const where = filterWhere(options.filters, now, policy);
  const forward = cursor?.dir !== "prev";
  // Read in the direction of travel: a previous page is the rows before the cursor, nearest first.
  const ascending = forward !== options.sort.descending;
  const order = ascending ? [asc(sortKey.sql), asc(apiTokens.id)] : [desc(sortKey.sql), desc(apiTokens.id)];
  const [rows, [{ total } = { total: 0 }]] = await Promise.all([
    db
      .select()
      .from(apiTokens)
      .where(and(where, cursor ? beyond(sortKey.sql, ascending, cursor) : undefined))
      .orderBy(...order)
      .limit(limit + 1),
    db.select({ total: count() }).from(apiTokens).where(where),
  ]);
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  if (!forward) page.reverse();
  const position = (row: ApiTokenRow) => ({ key: sortKey.of(row), id: row.id });
  const first = page[0] ? position(page[0]) : cursor;
  const last = page.length ? position(page[page.length - 1]!) : cursor;

  // Whether anything lies on the side we came from (the cursor's row may be gone, so look).
  const behind = forward ? first : last;
  const anyBehind =
    cursor && behind
      ? (await db
          .select({ id: apiTokens.id })
          .from(apiTokens)
          .where(and(where, beyond(sortKey.sql, !ascending, behind)))
          .limit(1)).length > 0
      : false;
  const [moreNext, morePrev] = forward ? [more, anyBehind] : [anyBehind, more];
  return {
    items: page.map((row) => viewOf(row, now, policy)),
    total,
    nextCursor: moreNext && last ? encodeCursor(options, "next", last) : null,
    prevCursor: morePrev && first ? encodeCursor(options, "prev", first) : null,
  };
}

/**
 * Rows per batch of the unpaged list. Reading rows is synchronous in the
 * embedded driver (about 10 µs a row), so each batch holds the event loop.
 * At 100,000 tokens, a /healthz sent during the list had a p99 of 1.5-2.2×
 * its quiet p99 with 100-row batches and 1.1-1.3× with 50, for a list
 * 15-20 % slower (paired runs of bench/list-page.mjs). A libSQL server is
 * read over the network, which blocks nothing, and each batch costs a round
 * trip: there, larger batches.
 */
export function tokenBatchRows(db: Db): number {
  return db.$client.protocol === "file" ? 50 : 1000;
}

/** Every token in id order, `size` rows per query (keyset on id), for the unpaged list and the CLI. */
export async function* tokenRowBatches(db: Db, size = tokenBatchRows(db)): AsyncGenerator<ApiTokenRow[]> {
  let after = 0;
  for (;;) {
    const rows = await db.select().from(apiTokens).where(gt(apiTokens.id, after)).orderBy(asc(apiTokens.id)).limit(size);
    if (rows.length > 0) yield rows;
    if (rows.length < size) return;
    after = rows[rows.length - 1]!.id;
  }
}
