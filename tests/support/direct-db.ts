import { createClient, type Client } from "@libsql/client";

/**
 * A connection of the test's own to the database a server uses (a `file:` URL
 * or a sqld `http://` URL): it sees what the server committed, not what the
 * server says it committed.
 */
export function openDirect(databaseUrl: string): Client {
  return createClient({ url: databaseUrl });
}

/**
 * What a request could change, table by table. `sessions.last_seen_at` is left
 * out: reading with a valid session refreshes it (at most once a minute) by design.
 * So are the hot-path counters in `rate_limits` (`bearer:` refused tokens per IP,
 * `token:` requests per rate-limited token): counting refused requests is their job,
 * and they are written in the background, whenever the next flush runs.
 */
const SNAPSHOT_SQL = {
  api_tokens:
    "SELECT id, name, description, token_hash, prefix, enabled, scope, expires_at, created_at, allowed_ips, previous_token_hash, previous_valid_until, rate_limit_per_minute FROM api_tokens ORDER BY id",
  /**
   * Token changes audited so far. Not the newest row: refused bearers and scope
   * denials are merged into audit rows in the background, whenever they are.
   */
  audit_events: "SELECT count(*) AS token_events FROM audit_events WHERE action LIKE 'token.%'",
  admin_users: "SELECT id, username, password_hash, created_at, credentials_changed_at FROM admin_users ORDER BY id",
  sessions: "SELECT id_hash, user_id, created_at, expires_at, ip, user_agent FROM sessions ORDER BY id_hash",
  rate_limits: "SELECT key, window_start, count FROM rate_limits WHERE key NOT LIKE 'bearer:%' AND key NOT LIKE 'token:%' ORDER BY key",
} as const;
export type SnapshotTable = keyof typeof SNAPSHOT_SQL;
export type Snapshot = Partial<Record<SnapshotTable, unknown[][]>>;

/** By default, not the audit log: refused requests are audited on purpose (failed bearers, denials). */
const DEFAULT_TABLES: readonly SnapshotTable[] = ["api_tokens", "admin_users", "sessions", "rate_limits"];

export async function snapshotTables(client: Client, tables: readonly SnapshotTable[] = DEFAULT_TABLES): Promise<Snapshot> {
  const results = await client.batch(tables.map((t) => SNAPSHOT_SQL[t]), "read");
  const out: Snapshot = {};
  tables.forEach((table, i) => {
    const rs = results[i]!;
    out[table] = rs.rows.map((row) => rs.columns.map((c) => row[c]));
  });
  return out;
}

/** snapshotTables over a connection of its own, closed afterwards. */
export async function snapshotDatabase(databaseUrl: string, tables?: readonly SnapshotTable[]): Promise<Snapshot> {
  const client = openDirect(databaseUrl);
  try {
    return await snapshotTables(client, tables);
  } finally {
    client.close();
  }
}

export interface TokenRow {
  id: number;
  name: string;
  tokenHash: string;
  prefix: string;
  enabled: boolean;
  scope: string;
  expiresAt: number;
  createdAt: number;
}

export async function tokenRows(client: Client): Promise<TokenRow[]> {
  const rs = await client.execute(SNAPSHOT_SQL.api_tokens);
  return rs.rows.map((r) => ({
    id: Number(r.id),
    name: String(r.name),
    tokenHash: String(r.token_hash),
    prefix: String(r.prefix),
    enabled: Number(r.enabled) === 1,
    scope: String(r.scope),
    expiresAt: Number(r.expires_at),
    createdAt: Number(r.created_at),
  }));
}

/**
 * A row as `createToken` writes it: nothing missing, nothing half-set. Returns
 * the problems (empty when the row is whole).
 */
export function rowProblems(row: TokenRow): string[] {
  const problems: string[] = [];
  if (!Number.isSafeInteger(row.id) || row.id <= 0) problems.push(`id ${row.id}`);
  if (row.name.trim() === "") problems.push("empty name");
  if (!/^[0-9a-f]{64}$/.test(row.tokenHash)) problems.push(`token_hash ${JSON.stringify(row.tokenHash)}`);
  if (!/^xui_[0-9A-Za-z]{4}$/.test(row.prefix)) problems.push(`prefix ${JSON.stringify(row.prefix)}`);
  if (!["admin", "monitor", "node-sync"].includes(row.scope)) problems.push(`scope ${row.scope}`);
  if (!Number.isSafeInteger(row.expiresAt) || row.expiresAt < 0) problems.push(`expires_at ${row.expiresAt}`);
  if (!Number.isSafeInteger(row.createdAt) || row.createdAt < 1_600_000_000 || row.createdAt > 10_000_000_000) {
    problems.push(`created_at ${row.createdAt}`);
  }
  return problems;
}
