import { beforeAll, describe, expect, inject, it } from "vitest";
import { bearer, BrowserSession, request, type ApiResponse } from "../support/client";
import { snapshotDatabase } from "../support/direct-db";

/**
 * The paged list and the description field on the production server: what a
 * client sends (query strings, JSON and form bodies) and what it gets back.
 * Other suites share this server, so each test lists only its own tokens (a
 * run tag in every name, found with q).
 */
const baseUrl = inject("baseUrl");
const databaseUrl = inject("databaseUrl");
const admin = inject("admin");
const TAG = `pl${Math.random().toString(36).slice(2, 8)}`;
let token: string;

interface View {
  id: number;
  name: string;
  description: string;
  enabled: boolean;
  expired: boolean;
  expiresSoon: boolean;
  scope: string;
  prefix: string;
}
interface Page {
  items: View[];
  total: number;
  nextCursor: string | null;
  prevCursor: string | null;
}

const api = <T>(path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> =>
  request<T>(baseUrl, path, { headers: { ...bearer(token), ...headers }, body });
const list = (params: Record<string, string>) => api<Page>(`/panel/api/setting/apiTokens?${new URLSearchParams(params)}`);
const state = () => snapshotDatabase(databaseUrl, ["api_tokens", "audit_events"]);

beforeAll(async () => {
  const s = new BrowserSession(baseUrl);
  await s.login(admin.username, admin.password);
  token = (await s.send<{ token: string }>("/panel/api/setting/apiTokens/create", { body: { name: `${TAG}-admin` } })).json!.obj!.token;
  // Names out of creation order, so sort=name and the default -created differ.
  for (const name of ["delta", "Alpha", "charlie", "bravo", "echo", "Foxtrot"]) {
    const res = await api<View>("/panel/api/setting/apiTokens/create", { name: `${TAG}-${name}`, scope: name === "echo" ? "monitor" : "admin" });
    expect(res.json?.success, res.json?.msg).toBe(true);
  }
  const echo = (await list({ q: `${TAG}-echo` })).json!.obj!.items[0]!;
  await api(`/panel/api/setting/apiTokens/setEnabled/${echo.id}`, { enabled: false });
});

describe("GET …/apiTokens with list parameters: a page", () => {
  it("pages by cursor in the asked order, with the filtered total, and back again", async () => {
    const first = await list({ q: TAG, sort: "name", limit: "3" });
    expect(first.status).toBe(200);
    expect(first.json!.success).toBe(true);
    const p1 = first.json!.obj!;
    expect(p1.total).toBe(7);
    expect(p1.items.map((v) => v.name)).toEqual([`${TAG}-admin`, `${TAG}-Alpha`, `${TAG}-bravo`]);
    expect(p1.prevCursor).toBeNull();
    const p2 = (await list({ q: TAG, sort: "name", limit: "3", cursor: p1.nextCursor! })).json!.obj!;
    expect(p2.items.map((v) => v.name)).toEqual([`${TAG}-charlie`, `${TAG}-delta`, `${TAG}-echo`]);
    const p3 = (await list({ q: TAG, sort: "name", limit: "3", cursor: p2.nextCursor! })).json!.obj!;
    expect(p3.items.map((v) => v.name)).toEqual([`${TAG}-Foxtrot`]);
    expect(p3.nextCursor).toBeNull();
    const back = (await list({ q: TAG, sort: "name", limit: "3", cursor: p3.prevCursor! })).json!.obj!;
    expect(back).toEqual(p2);
    // Newest first by default.
    const newest = (await list({ q: TAG })).json!.obj!;
    expect(newest.items.map((v) => v.name)).toEqual(
      ["admin", "delta", "Alpha", "charlie", "bravo", "echo", "Foxtrot"].map((n) => `${TAG}-${n}`).reverse(),
    );
  });

  it("filters by scope and status, and finds a token by its prefix", async () => {
    const monitor = (await list({ q: TAG, scope: "monitor" })).json!.obj!;
    expect(monitor.items.map((v) => v.name)).toEqual([`${TAG}-echo`]);
    const disabled = (await list({ q: TAG, status: "disabled" })).json!.obj!;
    expect(disabled.items.map((v) => v.name)).toEqual([`${TAG}-echo`]);
    expect((await list({ q: TAG, status: "enabled" })).json!.obj!.total).toBe(6);
    const alpha = (await list({ q: `${TAG}-alpha` })).json!.obj!.items[0]!;
    const byPrefix = (await list({ q: alpha.prefix, limit: "200" })).json!.obj!;
    expect(byPrefix.items.map((v) => v.id)).toContain(alpha.id);
    expect(byPrefix.items.every((v) => v.prefix.startsWith(alpha.prefix))).toBe(true);
  });

  it("without parameters the answer is still the peer's array, ordered by id", async () => {
    const res = await api<View[]>("/panel/api/setting/apiTokens");
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const ids = res.json!.obj!.map((v) => v.id);
    expect(ids.length).toBeGreaterThanOrEqual(7);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(Object.keys(res.json!)).toEqual(["success", "msg", "obj"]);
  });

  it.each([
    ["limit=0", "limit=0", "limit must be an integer from 1 to 200"],
    ["limit=201", "limit=201", "limit must be an integer from 1 to 200"],
    ["limit=ten", "limit=ten", "limit must be an integer from 1 to 200"],
    ["status=active", "status=active", "status must be one of enabled, disabled, expired, expiring, violating"],
    ["sort=id", "sort=id", "sort must be one of name, created, lastUsed, expiry (optionally prefixed with -)"],
    ["scope=root", "scope=root", "scope must be 'admin', 'monitor', or 'node-sync'"],
    ["q of 101 characters", `q=${"x".repeat(101)}`, "q must be at most 100 characters"],
    ["cursor=garbage", "cursor=garbage", "invalid cursor"],
    ["cursor=%00%ff", "cursor=%00%ff", "invalid cursor"],
    ["cursor of 2000 characters", `cursor=${"A".repeat(2_000)}`, "invalid cursor"],
  ])("%s → 400", async (_label, query, msg) => {
    const res = await api(`/panel/api/setting/apiTokens?${query}`);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ success: false, msg, obj: null });
  });

  it("a cursor of another sort or filter is refused", async () => {
    const cursor = (await list({ q: TAG, sort: "name", limit: "2" })).json!.obj!.nextCursor!;
    for (const other of [{ sort: "created" }, { q: `${TAG}-a` }, { status: "enabled" }, { scope: "admin" }] as Record<string, string>[]) {
      const res = await list({ q: TAG, sort: "name", limit: "2", cursor, ...other });
      expect(res.status, JSON.stringify(other)).toBe(400);
      expect(res.json?.msg).toBe("invalid cursor");
    }
  });
});

describe("description", () => {
  it("is stored trimmed from JSON and from a form (CRLF read as newlines), and shown in every view", async () => {
    const json = await api<View>("/panel/api/setting/apiTokens/create", { name: `${TAG}-desc-json`, description: "  deploys\nprod  " });
    expect(json.json!.obj).toMatchObject({ description: "deploys\nprod", expired: false });
    const form = await api<View>("/panel/api/setting/apiTokens/create", `name=${TAG}-desc-form&description=${encodeURIComponent("line 1\r\nline 2")}`, {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(form.json!.obj!.description).toBe("line 1\nline 2");
    const plain = await api<View>("/panel/api/setting/apiTokens/create", { name: `${TAG}-desc-none` });
    expect(plain.json!.obj!.description).toBe("");
    const listed = (await list({ q: `${TAG}-desc`, sort: "name" })).json!.obj!.items;
    expect(listed.map((v) => v.description)).toEqual(["line 1\nline 2", "deploys\nprod", ""]);
    const edited = await api<View>(`/panel/api/setting/apiTokens/update/${plain.json!.obj!.id}`, { description: "now described" });
    expect(edited.json).toMatchObject({ success: true, msg: "", obj: { description: "now described" } });
  });

  it.each([
    ["501 characters", { description: "é".repeat(501) }, "description must be at most 500 characters"],
    ["a tab", { description: "tab\there" }, "description may not contain control characters"],
    ["a NUL", { description: "nul\u0000" }, "description may not contain control characters"],
    ["a number", { description: 42 }, "description must be a string"],
    ["a list", { description: ["a"] }, "description must be a string"],
  ])("create and update refuse a description with %s: 400, nothing changed", async (_label, field, msg) => {
    const target = (await list({ q: `${TAG}-desc-json` })).json!.obj!.items[0]!;
    const before = await state();
    const created = await api("/panel/api/setting/apiTokens/create", { name: `${TAG}-bad-desc`, ...field });
    const updated = await api(`/panel/api/setting/apiTokens/update/${target.id}`, field);
    for (const res of [created, updated]) {
      expect(res.status).toBe(400);
      expect(res.json).toEqual({ success: false, msg, obj: null });
    }
    expect(await state()).toEqual(before);
  });

  it("500 characters (not bytes) are fine; the peer's own fields keep answering 200", async () => {
    const ok = await api<View>("/panel/api/setting/apiTokens/create", { name: `${TAG}-desc-500`, description: "é".repeat(500) });
    expect(ok.json?.success).toBe(true);
    const peerField = await api("/panel/api/setting/apiTokens/create", { name: "", description: "fine" });
    expect(peerField.status).toBe(200);
    expect(peerField.json).toEqual({ success: false, msg: "token name is required", obj: null });
  });
});
