import { beforeAll, describe, expect, inject, it } from "vitest";
import type { AuditEventView } from "@/lib/audit/query";
import { bearer, BrowserSession, request, type ApiResponse } from "../support/client";

/**
 * The audit log's date range, target search and exports on the production
 * server. Every test filters by this run's tag, so other suites' events on the
 * shared server do not count.
 */
const baseUrl = inject("baseUrl");
const admin = inject("admin");
const TAG = `ax${Math.random().toString(36).slice(2, 8)}`;
let adminToken: string;

type AuditEvent = AuditEventView;

const api = <T>(path: string, body?: unknown): Promise<ApiResponse<T>> => request<T>(baseUrl, path, { headers: bearer(adminToken), body });
const events = async (query: string) => {
  const res = await api<{ events: AuditEvent[] }>(`/panel/api/setting/auditLog?limit=200&${query}`);
  expect(res.json?.success, res.json?.msg).toBe(true);
  return res.json!.obj!.events;
};

/** RFC 4180: quoted cells may hold commas, quotes (doubled) and line breaks; rows end in CRLF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && c === ",") {
      row.push(cell);
      cell = "";
    } else if (!quoted && c === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else {
      cell += c;
    }
  }
  if (cell || row.length) throw new Error("the last row does not end in CRLF");
  return rows;
}

// Names a spreadsheet would run as formulas, or that need quoting.
const HOSTILE = [`=HYPERLINK("http://x","${TAG}")`, `+${TAG},sum`, `-${TAG}"q"`, `@${TAG}`];
let deletedId: number;

beforeAll(async () => {
  const s = new BrowserSession(baseUrl);
  await s.login(admin.username, admin.password);
  adminToken = (await s.send<{ token: string }>("/panel/api/setting/apiTokens/create", { body: { name: `${TAG}-admin` } })).json!.obj!.token;
  for (const name of HOSTILE) expect((await api("/panel/api/setting/apiTokens/create", { name })).json?.success).toBe(true);
  const victim = await api<{ id: number }>("/panel/api/setting/apiTokens/create", { name: `${TAG}-Victim`, description: "line 1\nline 2" });
  deletedId = victim.json!.obj!.id;
  await api(`/panel/api/setting/apiTokens/update/${deletedId}`, { description: "edited, \"quoted\"" });
  expect((await api(`/panel/api/setting/apiTokens/delete/${deletedId}`, {})).json?.success).toBe(true);
});

describe("filters", () => {
  it("target finds events by a part of the target's name, any case, deleted tokens included", async () => {
    const found = await events(`target=${encodeURIComponent(`${TAG}-VICTIM`)}`);
    expect(found.map((e) => e.action)).toEqual(["token.delete", "token.update", "token.create"]);
    expect(found.every((e) => e.target.id === deletedId)).toBe(true);
    // LIKE wildcards are plain text.
    expect(await events(`target=${TAG}%25`)).toEqual([]);
  });

  it("from is inclusive, to exclusive (Unix ms)", async () => {
    const all = await events(`target=${TAG}`);
    expect(all.length).toBe(HOSTILE.length + 4);
    const middle = all[2]!;
    const inRange = await events(`target=${TAG}&from=${middle.at}&to=${middle.at + 1}`);
    expect(inRange.map((e) => e.id)).toContain(middle.id);
    expect(inRange.every((e) => e.at === middle.at)).toBe(true);
    expect(await events(`target=${TAG}&from=${all[0]!.at + 1}`)).toEqual([]);
    expect((await events(`target=${TAG}&to=${all.at(-1)!.at}`)).length).toBe(0);
    expect((await events(`target=${TAG}&from=${all.at(-1)!.at}`)).length).toBe(all.length);
  });

  it.each([
    ["from=yesterday", "from must be a unix-ms timestamp"],
    ["from=-1", "from must be a unix-ms timestamp"],
    ["to=1.5", "to must be a unix-ms timestamp"],
    ["to=99999999999999999", "to must be a unix-ms timestamp"],
    ["from=10&to=10", "from must be before to"],
    ["from=11&to=10", "from must be before to"],
    ["format=xlsx", "format must be csv or json"],
    ["format=CSV", "format must be csv or json"],
    ["limit=0", "limit must be an integer from 1 to 200"],
    ["action=nope", expect.stringMatching(/^action must be one of: /)],
  ])("?%s → 400", async (query, msg) => {
    const res = await api(`/panel/api/setting/auditLog?${query}`);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ success: false, msg, obj: null });
  });

  it("a target longer than 100 characters → 400", async () => {
    const res = await api(`/panel/api/setting/auditLog?target=${"x".repeat(101)}`);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ success: false, msg: "target must be at most 100 characters", obj: null });
  });
});

describe("exports", () => {
  it("format=json: every matching event, newest first, raw, as an attachment", async () => {
    const res = await api(`/panel/api/setting/auditLog?format=json&target=${TAG}&limit=2&from=0`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="audit-log-0-\d{13}\.json"$/);
    const exported = JSON.parse(res.text) as AuditEvent[];
    expect(Array.isArray(exported)).toBe(true);
    expect(exported).toEqual(await events(`target=${TAG}`));
  });

  it("format=csv: RFC 4180 rows, the contract's columns, formula cells defused", async () => {
    const all = await events(`target=${TAG}`);
    const to = Date.now() + 1000;
    const res = await api(`/panel/api/setting/auditLog?format=csv&target=${TAG}&to=${to}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="audit-log-start-${to}.csv"`);
    const [header, ...rows] = parseCsv(res.text);
    expect(header).toEqual(["time", "action", "outcome", "actor", "ip", "target", "detail"]);
    expect(rows).toHaveLength(all.length);
    rows.forEach((row, i) => {
      const e = all[i]!;
      expect(row[0]).toBe(new Date(e.at).toISOString());
      expect(row.slice(1, 3)).toEqual([e.action, e.outcome]);
      expect(row[3]).toBe(`${e.actor.name} (${e.actor.id === null ? e.actor.type : `${e.actor.type} ${e.actor.id}`})`);
      expect(row[4]).toBe(e.ip);
      expect(JSON.parse(row[6]!)).toEqual(e.detail);
    });
    // Each hostile name comes back as text: a leading ' before = + - @, quotes and commas intact.
    const targets = rows.map((r) => r[5]!);
    for (const name of HOSTILE) {
      expect(targets.filter((t) => t.startsWith(`'${name} (token `))).toHaveLength(1);
    }
    expect(rows.flat().filter((cell) => /^[=+\-@\t\r]/.test(cell))).toEqual([]);
    // The edit's change, with its quotes and comma, survives the round trip.
    const edit = rows.find((r) => r[1] === "token.update")!;
    expect(JSON.parse(edit[6]!)).toEqual({ changes: { description: { from: "line 1\nline 2", to: 'edited, "quoted"' } } });
  });

  it("an export with no match is just the header (CSV) or [] (JSON)", async () => {
    expect((await api(`/panel/api/setting/auditLog?format=csv&target=${TAG}-none`)).text).toBe("time,action,outcome,actor,ip,target,detail\r\n");
    expect((await api(`/panel/api/setting/auditLog?format=json&target=${TAG}-none`)).text).toBe("[]");
  });
});
