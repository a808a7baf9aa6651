import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import Database from "libsql";
import { MIGRATIONS_FOLDER } from "@/db/migrate";
import { fsyncPath } from "@/lib/fsync";
import { CliError } from "./errors";

/** What a restore did, for the operator. */
export interface RestoreReport {
  /** Where the database that was there before now lies (null when there was none). */
  previous: string | null;
  tokens: number;
  enabledTokens: number;
  /** Unix ms of the backup's newest audit event (about when it was taken); null when it has none. */
  newestEventAt: number | null;
}

const SIDE_FILES = ["-wal", "-shm"] as const;

/**
 * Whether any connection, of a running panel or any other program, holds the
 * database open: in WAL mode an idle connection keeps a shared lock that an
 * exclusive-mode transaction cannot get past.
 */
function isInUse(file: string): boolean {
  const db = new Database(file, { timeout: 0 });
  try {
    db.pragma("locking_mode = EXCLUSIVE");
    db.exec("BEGIN EXCLUSIVE");
    db.exec("COMMIT");
    return false;
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith("SQLITE_BUSY")) return true;
    throw error;
  } finally {
    db.close();
  }
}

/** libsql's Database creates a missing file; a `mode=ro` URL never writes. */
const openReadOnly = (file: string) => new Database(`${pathToFileURL(file).href}?mode=ro`);

/** Migrations this panel knows: a backup that ran more came from a newer version. */
function knownMigrations(): number {
  const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_FOLDER, "meta", "_journal.json"), "utf8")) as { entries: unknown[] };
  return journal.entries.length;
}

/** Checks that `source` is an intact panel database this version can run; throws a CliError saying why not. */
function checkBackup(source: string): Omit<RestoreReport, "previous"> {
  if (!existsSync(source)) throw new CliError(`${source} does not exist`);
  let db: Database.Database;
  try {
    db = openReadOnly(source);
  } catch (error) {
    throw new CliError(`${source} cannot be opened as a database: ${(error as Error).message}`);
  }
  try {
    const tableNames = () =>
      new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name));
    let tables: Set<string>;
    try {
      tables = tableNames();
    } catch {
      throw new CliError(`${source} is not a database file`);
    }
    if (!tables.has("api_tokens") || !tables.has("__drizzle_migrations")) {
      throw new CliError(`${source} is not a panel database (no api_tokens or migrations table)`);
    }
    const integrity = db.prepare("PRAGMA integrity_check").pluck().all() as string[];
    if (integrity.join() !== "ok") throw new CliError(`${source} is damaged: ${integrity.slice(0, 3).join("; ")}`);
    // libsql's get() ignores pluck(); all() honours it.
    const count = (sql: string) => Number(db.prepare(sql).pluck().all()[0] ?? 0);
    const applied = count("SELECT count(*) FROM __drizzle_migrations");
    if (applied > knownMigrations()) {
      throw new CliError(`${source} was written by a newer version of the panel (${applied} migrations, this one knows ${knownMigrations()})`);
    }
    return {
      tokens: count("SELECT count(*) FROM api_tokens"),
      enabledTokens: count("SELECT count(*) FROM api_tokens WHERE enabled = 1"),
      newestEventAt: tables.has("audit_events") ? (count("SELECT max(at) FROM audit_events") || null) : null,
    };
  } finally {
    db.close();
  }
}

/**
 * Puts the backup `source` in place of the database file `target`, which no
 * program may hold open. The backup is copied (VACUUM INTO: one clean file, no
 * WAL) next to the target first, so a failure leaves the target as it was;
 * the old database and its WAL move aside to `<target>.before-restore-<time>`
 * rather than being deleted.
 */
export function restoreDatabase(target: string, source: string, now = Date.now()): RestoreReport {
  if (path.resolve(target) === path.resolve(source)) throw new CliError("the backup is the database itself");
  const report = checkBackup(source);
  const exists = existsSync(target);
  if (exists && isInUse(target)) {
    throw new CliError(`${target} is open in a running panel (or another program): stop every panel using it, then restore`);
  }
  // A fresh host (the data directory not made yet) is a normal place to restore to.
  mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
  const staging = `${target}.restoring`;
  rmSync(staging, { force: true });
  const copy = openReadOnly(source);
  try {
    copy.prepare("VACUUM INTO ?").run(staging);
  } catch (error) {
    rmSync(staging, { force: true });
    throw new CliError(`cannot copy ${source}: ${(error as Error).message}`);
  } finally {
    copy.close();
  }
  fsyncPath(staging);
  let previous: string | null = null;
  if (exists) {
    previous = `${target}.before-restore-${new Date(now).toISOString().replace(/[:.]/g, "-")}`;
    renameSync(target, previous);
    // The WAL holds committed changes of the old database: it goes with it, never next to the new one.
    for (const side of SIDE_FILES) if (existsSync(target + side)) renameSync(target + side, previous + side);
  }
  renameSync(staging, target);
  fsyncPath(path.dirname(path.resolve(target)));
  return { previous, ...report };
}
