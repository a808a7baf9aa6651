import "server-only";
import { z } from "zod";
import type { Db } from "@/db/client";
import { Streamed, streamParts } from "@/lib/streamed";
import { auditEventsBefore, auditEventView, auditFilterWhere, eventViewOf, type AuditEventView, type AuditLogQuery } from "./query";

/**
 * `GET …/auditLog?format=csv|json`: every matching event, newest first, as a
 * download, read and sent in batches (the log holds up to AUDIT_RETENTION rows).
 */

const EXPORT_BATCH_ROWS = 1000;
export const CSV_COLUMNS = ["time", "action", "outcome", "actor", "ip", "target", "detail"] as const;

/** What the OpenAPI document says a download is. */
export const auditExportDocuments = {
  "application/json": z.array(auditEventView).describe("`format=json`: the matching events, newest first."),
  "text/csv": z.string().describe(`\`format=csv\`: a header row (${CSV_COLUMNS.join(", ")}), then one row per event, newest first.`),
};

/** "who (type id)": `grafana (token 3)`, `admin (session 1)`, `(anonymous)`. */
function party(p: { type: string; id: number | null; name: string }): string {
  if (!p.type) return p.name;
  const kind = p.id === null ? p.type : `${p.type} ${p.id}`;
  return p.name ? `${p.name} (${kind})` : `(${kind})`;
}

/**
 * One CSV cell (RFC 4180): quoted when it holds a quote, comma or line break.
 * A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, or a tab or
 * CR first) gets a `'` first, so an event recorded from attacker-chosen text
 * (a token name, a username) cannot execute when the file is opened.
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function csvRow(event: AuditEventView): string {
  const cells = [
    new Date(event.at).toISOString(),
    event.action,
    event.outcome,
    party(event.actor),
    event.ip,
    party(event.target),
    JSON.stringify(event.count > 1 ? { ...event.detail, count: event.count } : event.detail),
  ];
  return cells.map(csvCell).join(",") + "\r\n";
}

async function* eventBatches(db: Db, query: AuditLogQuery): AsyncGenerator<AuditEventView[]> {
  const conditions = auditFilterWhere(query);
  let before: number | undefined;
  for (;;) {
    const rows = await auditEventsBefore(db, conditions, before, EXPORT_BATCH_ROWS);
    if (rows.length > 0) yield rows.map((row) => auditEventView.parse(eventViewOf(row)));
    if (rows.length < EXPORT_BATCH_ROWS) return;
    before = rows[rows.length - 1]!.id;
  }
}

async function* csvParts(db: Db, query: AuditLogQuery): AsyncGenerator<string> {
  yield CSV_COLUMNS.join(",") + "\r\n";
  for await (const events of eventBatches(db, query)) yield events.map(csvRow).join("");
}

async function* jsonParts(db: Db, query: AuditLogQuery): AsyncGenerator<string> {
  yield "[";
  let separator = "";
  for await (const events of eventBatches(db, query)) {
    yield separator + events.map((e) => JSON.stringify(e)).join(",");
    separator = ",";
  }
  yield "]";
}

/** The download; its name gives the range asked for (`start` = since the oldest event, an open end = now). */
export function auditExport(db: Db, query: AuditLogQuery, format: "csv" | "json", now: number): Streamed {
  const filename = `audit-log-${query.from ?? "start"}-${query.to ?? now}.${format}`;
  const csv = format === "csv";
  return new Streamed(streamParts(csv ? csvParts(db, query) : jsonParts(db, query), `audit ${format} export`), {
    "Content-Type": csv ? "text/csv; charset=utf-8" : "application/json; charset=utf-8",
    "Content-Disposition": `attachment; filename="${filename}"`,
  });
}
