import { randomBytes } from "node:crypto";
import { createClient } from "@libsql/client";
import { hashToken } from "@/lib/tokens/format";

/**
 * A 3x-ui database built in the test, with the shape 3x-ui (gorm on SQLite)
 * gives it: `api_tokens(name, token = hex SHA-256, enabled 0/1, created_at in
 * Unix seconds, scope, expires_at in Unix ms)`; `legacy` leaves out the two
 * columns older 3x-ui versions lack. A couple of unrelated 3x-ui tables sit
 * next to it, as in a real x-ui.db.
 */
export interface XuiToken {
  name: string;
  /** The plaintext a bot holds; its hash goes into `token` unless `token` is given. */
  plaintext?: string;
  token?: string;
  enabled?: number | string | null;
  created_at?: number | null;
  scope?: string | null;
  expires_at?: number | null;
}

/** A plaintext as a 3x-ui panel hands out: random, no `xui_` prefix. */
export function xuiPlaintext(): string {
  return randomBytes(32).toString("base64url");
}

export async function buildXuiDatabase(file: string, tokens: XuiToken[], options: { legacy?: boolean } = {}): Promise<void> {
  const client = createClient({ url: `file:${file}` });
  try {
    const columns = options.legacy ? "" : ", `scope` text DEFAULT 'admin', `expires_at` integer DEFAULT 0";
    await client.batch(
      [
        "CREATE TABLE `users` (`id` integer PRIMARY KEY AUTOINCREMENT, `username` text, `password` text)",
        "CREATE TABLE `settings` (`id` integer PRIMARY KEY AUTOINCREMENT, `key` text, `value` text)",
        `CREATE TABLE \`api_tokens\` (\`id\` integer PRIMARY KEY AUTOINCREMENT, \`name\` text NOT NULL, \`token\` text NOT NULL, \`enabled\` numeric DEFAULT true, \`created_at\` integer${columns})`,
        "CREATE UNIQUE INDEX `idx_api_tokens_name` ON `api_tokens`(`name`)",
        "INSERT INTO `users` (`username`, `password`) VALUES ('admin', 'not-ours')",
      ],
      "write",
    );
    for (const t of tokens) {
      const values: Record<string, unknown> = {
        name: t.name,
        token: t.token ?? hashToken(t.plaintext ?? xuiPlaintext()),
        enabled: t.enabled === undefined ? 1 : t.enabled,
        created_at: t.created_at === undefined ? 1_736_000_000 : t.created_at,
      };
      if (!options.legacy) {
        if (t.scope !== undefined) values.scope = t.scope;
        if (t.expires_at !== undefined) values.expires_at = t.expires_at;
      }
      const keys = Object.keys(values);
      await client.execute({
        sql: `INSERT INTO api_tokens (${keys.join(", ")}) VALUES (${keys.map(() => "?").join(", ")})`,
        args: keys.map((k) => values[k] as string | number | null),
      });
    }
  } finally {
    client.close();
  }
}

/** Every `api_tokens` row, as the CLI reads them (SELECT *). */
export async function readXuiRows(file: string): Promise<Record<string, unknown>[]> {
  const client = createClient({ url: `file:${file}` });
  try {
    const result = await client.execute("SELECT * FROM api_tokens ORDER BY rowid");
    return result.rows.map((r) => Object.fromEntries(result.columns.map((c, i) => [c, r[i]])));
  } finally {
    client.close();
  }
}
