import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import Database from "libsql";
import type { XuiTokenRow } from "@/lib/tokens/import-3x-ui";
import { CliError } from "./errors";

/**
 * Reads the `api_tokens` rows of a 3x-ui database, opened read-only: the import
 * must not change, create or lock-and-journal the operator's x-ui.db. The
 * libsql driver (the one under @libsql/client, which cannot open a file
 * read-only) takes SQLite's `file:…?mode=ro` URI.
 */
export function readXuiTokenRows(file: string): XuiTokenRow[] {
  if (!existsSync(file)) throw new CliError(`no such file: ${file}`);
  let source: Database.Database;
  try {
    source = new Database(`${pathToFileURL(file).href}?mode=ro`);
  } catch {
    throw new CliError(`cannot open ${file} as an SQLite database`);
  }
  try {
    return source.prepare("SELECT * FROM api_tokens ORDER BY rowid").all() as XuiTokenRow[];
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/no such table/i.test(message)) throw new CliError(`${file} has no api_tokens table: is it a 3x-ui database?`);
    if (/not a database|file is encrypted/i.test(message)) throw new CliError(`${file} is not an SQLite database`);
    throw error;
  } finally {
    source.close();
  }
}
