import { beforeAll, describe, expect, inject, it } from "vitest";
import { bearer, BrowserSession, request, type ApiResponse } from "../support/client";
import { openDirect, snapshotTables } from "../support/direct-db";

/**
 * Edits and rotations on the production server: an edit's audit row says what
 * changed (never a secret), an edit that changes nothing writes nothing, and
 * an expired token is never rotated into a secret that is dead on arrival.
 */
const baseUrl = inject("baseUrl");
const databaseUrl = inject("databaseUrl");
const admin = inject("admin");
const unique = (p: string) => `${p}-${Math.random().toString(36).slice(2, 8)}`;
const DAY = 86_400_000;
let adminToken: string;

interface View {
  id: number;
  name: string;
  description: string;
  expiresAt: number;
  expired: boolean;
  allowedIps: string[];
  graceUntil: number;
  token?: string;
}
interface AuditEvent {
  id: number;
  action: string;
  target: { id: number | null; name: string };
  detail: Record<string, unknown>;
}

const api = <T>(path: string, body?: unknown): Promise<ApiResponse<T>> => request<T>(baseUrl, path, { headers: bearer(adminToken), body });
async function mint(body: Record<string, unknown>): Promise<View> {
  const res = await api<View>("/panel/api/setting/apiTokens/create", body);
  expect(res.json?.success, res.json?.msg).toBe(true);
  return res.json!.obj!;
}
async function eventsOf(id: number): Promise<AuditEvent[]> {
  return (await api<{ events: AuditEvent[] }>(`/panel/api/setting/auditLog?limit=200&tokenId=${id}`)).json!.obj!.events;
}
/** Everything a refused call must leave alone: the tokens, the audit log's newest row, the token generation. */
async function state() {
  const client = openDirect(databaseUrl);
  try {
    const tables = await snapshotTables(client, ["api_tokens", "audit_events"]);
    const generation = (await client.execute("SELECT generation FROM token_state")).rows[0]?.generation;
    return { ...tables, generation };
  } finally {
    client.close();
  }
}
/** Moves a token's expiry into the past behind the server's back (no API can set a past expiry). */
async function expire(id: number): Promise<void> {
  const client = openDirect(databaseUrl);
  try {
    await client.execute({ sql: "UPDATE api_tokens SET expires_at = ? WHERE id = ?", args: [Date.now() - 60_000, id] });
  } finally {
    client.close();
  }
}
const statusWith = (token: string) => request(baseUrl, "/panel/api/server/status", { headers: bearer(token) }).then((r) => r.status);

beforeAll(async () => {
  const s = new BrowserSession(baseUrl);
  await s.login(admin.username, admin.password);
  adminToken = (await s.send<View>("/panel/api/setting/apiTokens/create", { body: { name: unique("edits-admin") } })).json!.obj!.token!;
});

describe("update audits what changed", () => {
  it("detail.changes holds field: from → to for each changed field, and nothing secret", async () => {
    const expiresAt = Date.now() + 10 * DAY;
    const t = await mint({ name: unique("chg"), description: "old words", expiresAt, allowedIps: ["10.0.0.0/8"] });
    const newExpiry = Date.now() + 20 * DAY;
    const res = await api<View>(`/panel/api/setting/apiTokens/update/${t.id}`, {
      name: `${t.name}-new`,
      description: "new words",
      expiresAt: newExpiry,
      allowedIps: ["10.0.0.0/8", "192.0.2.7"],
    });
    expect(res.json).toMatchObject({ success: true, msg: "" });
    const [update] = (await eventsOf(t.id)).filter((e) => e.action === "token.update");
    expect(update!.target).toEqual({ type: "token", id: t.id, name: t.name });
    expect(update!.detail).toEqual({
      changes: {
        name: { from: t.name, to: `${t.name}-new` },
        description: { from: "old words", to: "new words" },
        expiresAt: { from: expiresAt, to: newExpiry },
        allowedIps: { from: ["10.0.0.0/8"], to: ["10.0.0.0/8", "192.0.2.7/32"] },
      },
    });
    expect(JSON.stringify(update)).not.toContain(t.token);
    // Only what changed: a second edit that renames alone records the name alone.
    await api(`/panel/api/setting/apiTokens/update/${t.id}`, { name: `${t.name}-2`, description: "new words" });
    const latest = (await eventsOf(t.id)).find((e) => e.action === "token.update")!;
    expect(latest.detail).toEqual({ changes: { name: { from: `${t.name}-new`, to: `${t.name}-2` } } });
  });

  it("an edit that changes nothing answers `nothing changed`, writes no audit row and bumps nothing", async () => {
    const t = await mint({ name: unique("same"), description: "d", allowedIps: ["10.0.0.0/8", "192.0.2.0/24"] });
    const before = await state();
    // The same values, the allowlist in another order and not yet normalised, a padded name.
    const res = await api<View>(`/panel/api/setting/apiTokens/update/${t.id}`, {
      name: ` ${t.name} `,
      description: "d",
      expiresAt: 0,
      allowedIps: ["192.0.2.9/24", "10.0.0.0/8"],
    });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ success: true, msg: "nothing changed", obj: expect.objectContaining({ id: t.id, name: t.name }) });
    const { token: _, ...view } = t;
    expect(res.json!.obj).toEqual(view);
    expect(await state()).toEqual(before);
  });

  it("an expired token can still be renamed or given an allowlist when its expiry is sent back unchanged", async () => {
    const t = await mint({ name: unique("lapsed"), expiresAt: Date.now() + DAY });
    await expire(t.id);
    const [row] = (await api<{ items: View[] }>(`/panel/api/setting/apiTokens?q=${t.name}`)).json!.obj!.items;
    expect(row!.expired).toBe(true);
    const res = await api<View>(`/panel/api/setting/apiTokens/update/${t.id}`, { expiresAt: row!.expiresAt, allowedIps: ["203.0.113.0/24"] });
    expect(res.json).toMatchObject({ success: true, obj: { allowedIps: ["203.0.113.0/24"], expired: true } });
    // A new past expiry is still refused.
    const past = await api(`/panel/api/setting/apiTokens/update/${t.id}`, { expiresAt: row!.expiresAt - 1 });
    expect(past.json).toEqual({ success: false, msg: "expiresAt must be 0 (never) or a future unix-ms timestamp", obj: null });
  });
});

describe("rotating an expired token", () => {
  it("without expiresAt: 400 with the reason, and nothing changes", async () => {
    const t = await mint({ name: unique("dead"), expiresAt: Date.now() + DAY });
    await expire(t.id);
    const before = await state();
    for (const body of [{}, { graceSeconds: 3600 }, { expiresAt: "" }, { expiresAt: null }]) {
      const res = await api(`/panel/api/setting/apiTokens/rotate/${t.id}`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json).toEqual({ success: false, msg: "token has expired: give it a new expiresAt to rotate it", obj: null });
    }
    expect(await state()).toEqual(before);
  });

  it("with a new expiresAt: a working secret with that expiry, audited; the old secret stays dead, grace or not", async () => {
    const t = await mint({ name: unique("revive"), expiresAt: Date.now() + DAY });
    await expire(t.id);
    const expiresAt = Date.now() + 30 * DAY;
    const res = await api<View>(`/panel/api/setting/apiTokens/rotate/${t.id}`, { expiresAt, graceSeconds: 3600 });
    expect(res.json?.success, res.json?.msg).toBe(true);
    const rotated = res.json!.obj!;
    expect(rotated).toMatchObject({ id: t.id, expiresAt, expired: false, graceUntil: 0 });
    expect(await statusWith(rotated.token!)).toBe(200);
    expect(await statusWith(t.token!)).toBe(401);
    const [rotation] = (await eventsOf(t.id)).filter((e) => e.action === "token.rotate");
    expect(rotation!.detail).toEqual({ graceSeconds: 3600, expiresAt });
  });

  it("an unexpired token may get a new expiry with its new secret; bad expiries are 400 and change nothing", async () => {
    const t = await mint({ name: unique("extend") });
    const before = await state();
    for (const expiresAt of [Date.now() - 1, -1, 1.5, "soon", 253_402_300_800_000]) {
      const res = await api(`/panel/api/setting/apiTokens/rotate/${t.id}`, { expiresAt });
      expect(res.status, String(expiresAt)).toBe(400);
      expect(res.json).toEqual({ success: false, msg: "expiresAt must be 0 (never) or a future unix-ms timestamp", obj: null });
    }
    expect(await state()).toEqual(before);
    const expiresAt = Date.now() + 3 * DAY;
    const res = await api<View>(`/panel/api/setting/apiTokens/rotate/${t.id}`, { expiresAt, graceSeconds: 60 });
    expect(res.json!.obj).toMatchObject({ expiresAt, graceUntil: expect.any(Number) });
    expect(res.json!.obj!.graceUntil).toBeGreaterThan(Date.now());
    // The old secret keeps working through the grace period, as before.
    expect(await statusWith(t.token!)).toBe(200);
  });
});
