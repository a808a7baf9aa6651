import "server-only";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { createClient, type Client, type TransactionMode } from "@libsql/client";
import type { Logger } from "drizzle-orm/logger";
import { drizzle, type LibSQLDatabase } from "drizzle-orm/libsql";
import * as schema from "./schema";

export type Db = LibSQLDatabase<typeof schema> & { $client: Client };

export interface DatabaseHandle {
  db: Db;
  client: Client;
  /** True for an embedded file or in-memory database, false for a libSQL server. */
  embedded: boolean;
  close(): void;
}

/** How long a connection waits for another process's write lock before giving up. */
const BUSY_TIMEOUT_MS = 5_000;
/**
 * How long one HTTP request to a libSQL server may take. A server that stops
 * answering without closing the connection (frozen, or the network to it
 * gone) would otherwise hold every request waiting on it forever; past this
 * the request fails as "database unavailable" (503).
 */
export const DATABASE_REQUEST_TIMEOUT_MS = 10_000;

/**
 * The deadline is a plain timer holding its controller, so it fires whatever
 * the garbage collector does with the request (Node holds AbortSignal.timeout()
 * signals weakly). Aborting a request that has finished does nothing.
 */
function fetchWithTimeout(timeoutMs: number) {
  return (request: Request): Promise<Response> => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new DOMException("The database request timed out", "TimeoutError")), timeoutMs);
    timer.unref();
    if (request.signal.aborted) controller.abort(request.signal.reason);
    else request.signal.addEventListener("abort", () => controller.abort(request.signal.reason), { once: true });
    return fetch(request, { signal: controller.signal });
  };
}

/**
 * Opens the database named by a libSQL URL: `file:…` / `:memory:` embedded, or
 * `http(s)://`, `ws(s)://`, `libsql://` for a libSQL server (sqld, Turso).
 *
 * Concurrency rule for everything built on this: writes are single statements
 * or `db.batch([...])`, never interactive transactions. The embedded driver
 * runs each statement synchronously, so a batch can never interleave with
 * another write of this process, while an interactive transaction would hold
 * the write lock across `await`s and make a second connection of the same
 * process spin on the lock with the event loop blocked.
 */
/** Whether a libSQL URL names an embedded (in-process) database rather than a server. */
export function isEmbeddedUrl(url: string): boolean {
  return url === ":memory:" || url.startsWith("file:");
}

export function openDatabase(
  url: string,
  authToken?: string,
  options: { logger?: Logger; requestTimeoutMs?: number } = {},
): DatabaseHandle {
  const embedded = isEmbeddedUrl(url);
  if (url.startsWith("file:")) {
    const file = url.slice("file:".length).split("?")[0] ?? "";
    if (file && file !== ":memory:") mkdirSync(path.dirname(path.resolve(/*turbopackIgnore: true*/ file)), { recursive: true });
  }
  const client = createClient({
    url,
    authToken: authToken || undefined,
    // Busy timeout (ms) applied to every pooled embedded connection: another
    // panel process sharing the file may hold the write lock for a moment.
    timeout: BUSY_TIMEOUT_MS,
    // Used by the http(s):// transport only; ws:// connections are closed by the server's going away.
    fetch: fetchWithTimeout(options.requestTimeoutMs ?? DATABASE_REQUEST_TIMEOUT_MS),
  });
  // Drizzle calls `client.batch(stmts)` without a mode, which means a deferred
  // transaction. A deferred batch that reads before it writes can fail with
  // SQLITE_BUSY_SNAPSHOT when another process commits in between; taking the
  // write lock up front (BEGIN IMMEDIATE) makes it wait its turn instead.
  const batch = client.batch.bind(client);
  client.batch = ((stmts: Parameters<Client["batch"]>[0], mode: TransactionMode = "write") =>
    batch(stmts, mode)) as Client["batch"];

  const db = drizzle(client, { schema, logger: options.logger }) as Db;
  return { db, client, embedded, close: () => client.close() };
}

/** Settings that belong to the database file itself (embedded only). */
export async function prepareEmbeddedDatabase(handle: DatabaseHandle): Promise<void> {
  if (!handle.embedded) return;
  // WAL lets readers proceed while a writer commits and lets several panel
  // processes share one file. It is persistent, so setting it once suffices.
  await handle.client.execute("PRAGMA journal_mode = WAL");
}
