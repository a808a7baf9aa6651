import { beforeAll, describe, expect, inject, it } from "vitest";
import { bearer, BrowserSession, request, type ApiResponse } from "../support/client";
import { snapshotDatabase } from "../support/direct-db";

/**
 * Per-token rate limits on the production server: set on create and update
 * (JSON, form and multipart), validated with a clear message and no change,
 * shown in views, audited, and enforced after verification with 429, the
 * envelope and Retry-After.
 */
const baseUrl = inject("baseUrl");
const databaseUrl = inject("databaseUrl");
const admin = inject("admin");
const unique = (p: string) => `${p}-${Math.random().toString(36).slice(2, 8)}`;
const INVALID = "rateLimitPerMinute must be an integer from 0 (no limit) to 1000000";
let adminToken: string;

interface View {
  id: number;
  name: string;
  rateLimitPerMinute: number;
  token?: string;
}

const api = <T>(path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> =>
  request<T>(baseUrl, path, { headers: { ...bearer(adminToken), ...headers }, body });
async function mint(body: Record<string, unknown>): Promise<View> {
  const res = await api<View>("/panel/api/setting/apiTokens/create", body);
  expect(res.json?.success, res.json?.msg).toBe(true);
  return res.json!.obj!;
}
const status = (token: string) => request(baseUrl, "/panel/api/server/status", { headers: bearer(token) });
const tokens = () => snapshotDatabase(databaseUrl, ["api_tokens", "audit_events"]);

beforeAll(async () => {
  const s = new BrowserSession(baseUrl);
  await s.login(admin.username, admin.password);
  adminToken = (await s.send<View>("/panel/api/setting/apiTokens/create", { body: { name: unique("rate-admin") } })).json!.obj!.token!;
});

describe("rateLimitPerMinute on create and update", () => {
  it("is 0 (no limit) unless given, and returned in every view", async () => {
    const none = await mint({ name: unique("none") });
    expect(none.rateLimitPerMinute).toBe(0);
    const some = await mint({ name: unique("some"), rateLimitPerMinute: 120 });
    expect(some.rateLimitPerMinute).toBe(120);
    const page = await api<{ items: View[] }>(`/panel/api/setting/apiTokens?q=${some.name}`);
    expect(page.json!.obj!.items[0]!.rateLimitPerMinute).toBe(120);
    const all = await api<View[]>("/panel/api/setting/apiTokens");
    expect(all.json!.obj!.find((v) => v.id === some.id)!.rateLimitPerMinute).toBe(120);
  });

  it("a form-encoded and a multipart create take it as a decimal string", async () => {
    const form = await request<View>(baseUrl, "/panel/api/setting/apiTokens/create", {
      headers: { ...bearer(adminToken), "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ name: unique("form"), rateLimitPerMinute: "7" }).toString(),
    });
    expect(form.json).toMatchObject({ success: true, obj: { rateLimitPerMinute: 7 } });
    const multipart = new FormData();
    multipart.set("name", unique("multi"));
    multipart.set("rateLimitPerMinute", "9");
    const encoded = new Response(multipart);
    const res = await request<View>(baseUrl, "/panel/api/setting/apiTokens/create", {
      headers: { ...bearer(adminToken), "content-type": encoded.headers.get("content-type")! },
      body: Buffer.from(await encoded.arrayBuffer()),
    });
    expect(res.json).toMatchObject({ success: true, obj: { rateLimitPerMinute: 9 } });
    const blank = await request<View>(baseUrl, "/panel/api/setting/apiTokens/create", {
      headers: { ...bearer(adminToken), "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ name: unique("blank"), rateLimitPerMinute: "" }).toString(),
    });
    expect(blank.json).toMatchObject({ success: true, obj: { rateLimitPerMinute: 0 } });
  });

  it.each([[-1], [1.5], ["abc"], [1_000_001], [true], [[5]]])("%j is refused with a clear message, changing nothing", async (value) => {
    const target = await mint({ name: unique("target") });
    const before = await tokens();
    const create = await api("/panel/api/setting/apiTokens/create", { name: unique("bad"), rateLimitPerMinute: value });
    expect(create.status).toBeLessThan(500);
    expect(create.json).toEqual({ success: false, msg: INVALID, obj: null });
    const update = await api(`/panel/api/setting/apiTokens/update/${target.id}`, { rateLimitPerMinute: value });
    expect(update.status).toBeLessThan(500);
    expect(update.json).toEqual({ success: false, msg: INVALID, obj: null });
    expect(await tokens()).toEqual(before);
  });

  it("an update sets and clears it, and the audit row says from → to", async () => {
    const t = await mint({ name: unique("edit") });
    const set = await api<View>(`/panel/api/setting/apiTokens/update/${t.id}`, { rateLimitPerMinute: 60 });
    expect(set.json).toMatchObject({ success: true, msg: "", obj: { rateLimitPerMinute: 60 } });
    const form = await request<View>(baseUrl, `/panel/api/setting/apiTokens/update/${t.id}`, {
      headers: { ...bearer(adminToken), "content-type": "application/x-www-form-urlencoded" },
      body: "rateLimitPerMinute=0",
    });
    expect(form.json).toMatchObject({ success: true, obj: { rateLimitPerMinute: 0 } });
    const same = await api<View>(`/panel/api/setting/apiTokens/update/${t.id}`, { rateLimitPerMinute: 0 });
    expect(same.json?.msg).toBe("nothing changed");
    const log = await api<{ events: { action: string; detail: Record<string, unknown> }[] }>(
      `/panel/api/setting/auditLog?tokenId=${t.id}&action=token.update`,
    );
    expect(log.json!.obj!.events.map((e) => e.detail)).toEqual([
      { changes: { rateLimitPerMinute: { from: 60, to: 0 } } },
      { changes: { rateLimitPerMinute: { from: 0, to: 60 } } },
    ]);
  });
});

describe("enforcement", () => {
  it("past the limit: 429, the envelope, a clear msg and Retry-After; other tokens are untouched", async () => {
    const limited = await mint({ name: unique("limited"), scope: "monitor", rateLimitPerMinute: 3 });
    const free = await mint({ name: unique("free"), scope: "monitor" });
    for (let i = 0; i < 3; i++) expect((await status(limited.token!)).status).toBe(200);
    const refused = await status(limited.token!);
    expect(refused.status).toBe(429);
    expect(refused.json).toEqual({
      success: false,
      msg: expect.stringMatching(/^this API token's limit of 3 requests per minute is used up; try again in \d+ seconds?$/),
      obj: null,
    });
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.json!.msg).toContain(`try again in ${retryAfter} second`);
    for (let i = 0; i < 10; i++) expect((await status(free.token!)).status).toBe(200);
    // The limit is the token's, not the route's: the admin token goes on working.
    expect((await api("/panel/api/setting/apiTokens?limit=1")).status).toBe(200);
  });

  it("40 parallel requests of a token limited to 10: exactly 10 served on one instance", async () => {
    const t = await mint({ name: unique("burst"), scope: "monitor", rateLimitPerMinute: 10 });
    const statuses = await Promise.all(Array.from({ length: 40 }, () => status(t.token!).then((r) => r.status)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30);
  });

  it("a rotation keeps the limit, and the new secret spends the same budget", async () => {
    const t = await mint({ name: unique("rotate"), scope: "monitor", rateLimitPerMinute: 2 });
    expect((await status(t.token!)).status).toBe(200);
    const rotated = await api<View>(`/panel/api/setting/apiTokens/rotate/${t.id}`, {});
    expect(rotated.json?.obj?.rateLimitPerMinute).toBe(2);
    expect((await status(rotated.json!.obj!.token!)).status).toBe(200);
    expect((await status(rotated.json!.obj!.token!)).status).toBe(429);
  });

  it("raising the limit takes effect on the next request", async () => {
    const t = await mint({ name: unique("raise"), scope: "monitor", rateLimitPerMinute: 1 });
    expect((await status(t.token!)).status).toBe(200);
    expect((await status(t.token!)).status).toBe(429);
    await api(`/panel/api/setting/apiTokens/update/${t.id}`, { rateLimitPerMinute: 5 });
    expect((await status(t.token!)).status).toBe(200);
    await api(`/panel/api/setting/apiTokens/update/${t.id}`, { rateLimitPerMinute: 0 });
    for (let i = 0; i < 8; i++) expect((await status(t.token!)).status).toBe(200);
  });
});
