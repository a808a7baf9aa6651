import { tokenView } from "@/lib/tokens/schemas";
import { createHash } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { Client } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { TokenView } from "@/lib/tokens/schemas";
import { bearer, BrowserSession, request, type ApiResponse } from "../support/client";
import { openDirect, rowProblems, tokenRows } from "../support/direct-db";
import { recordFigures } from "../support/figures";

/**
 * Concurrent calls against the shared production server, checked against the
 * database itself (a libSQL connection of the test's own), not only against
 * what the API says.
 */
const baseUrl = inject("baseUrl");
const databaseUrl = inject("databaseUrl");
const admin = inject("admin");

/** A token as the API shows it; `token` only in create answers. */
type View = TokenView & { token?: string };

let adminToken: string;
let db: Client;
const figures: Record<string, unknown> = {};
const unique = (p: string) => `${p}-${Math.random().toString(36).slice(2, 10)}`;
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

beforeAll(async () => {
  db = openDirect(databaseUrl);
  const s = new BrowserSession(baseUrl);
  expect((await s.login(admin.username, admin.password)).json?.success).toBe(true);
  const res = await s.send<View>("/panel/api/setting/apiTokens/create", { body: { name: unique("concurrency-admin") } });
  adminToken = res.json!.obj!.token!;
});

afterAll(() => {
  recordFigures("concurrency", figures);
  db?.close();
});

function bot<T = unknown>(path: string, body?: unknown, token = adminToken): Promise<ApiResponse<T>> {
  return request<T>(baseUrl, path, { headers: bearer(token), body });
}

async function create(body: Record<string, unknown>): Promise<View> {
  const res = await bot<View>("/panel/api/setting/apiTokens/create", body);
  expect(res.json?.success, res.text).toBe(true);
  return res.json!.obj!;
}

async function setEnabled(id: number, enabled: boolean): Promise<void> {
  const res = await bot(`/panel/api/setting/apiTokens/setEnabled/${id}`, { enabled });
  expect(res.status).toBe(200);
  expect(res.json, res.text).toEqual({ success: true, msg: "", obj: null });
}

/** What a bot sees: 200 while the token is usable, 401 otherwise. */
async function authStatus(token: string): Promise<number> {
  return (await bot("/panel/api/server/status", undefined, token)).status;
}

/** Exactly the allow-listed view fields (never a plaintext or hash). */
const VIEW_KEYS = Object.keys(tokenView.shape).sort().join(",");

describe("concurrent creates of one name", () => {
  it("50 in parallel: exactly one success, 49 clean duplicate errors, one whole row", async () => {
    const name = unique("race50");
    const results = await Promise.all(Array.from({ length: 50 }, () => bot<View>("/panel/api/setting/apiTokens/create", { name })));
    const winners = results.filter((r) => r.json?.success);
    const losers = results.filter((r) => !r.json?.success);
    figures.parallelCreates = { requests: results.length, successes: winners.length, duplicates: losers.length };
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(winners).toHaveLength(1);
    for (const r of losers) expect(r.json).toEqual({ success: false, msg: "a token with that name already exists", obj: null });

    const rows = (await tokenRows(db)).filter((r) => r.name === name);
    expect(rows).toHaveLength(1);
    expect(rowProblems(rows[0]!)).toEqual([]);
    const won = winners[0]!.json!.obj!;
    expect(rows[0]!.id).toBe(won.id);
    expect(rows[0]!.tokenHash).toBe(sha256(won.token!));
    expect(await authStatus(won.token!)).toBe(200);
  });
});

describe("interleaved enable/disable (200 calls)", () => {
  const CLIENTS = 8;
  const CALLS_PER_CLIENT = 25;

  it("8 clients, each serialising its own calls on its own token: every token ends at its client's last acknowledged call", async () => {
    const tokens = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => create({ name: unique(`toggle-own-${i}`), scope: "monitor" })));
    const lastAcknowledged = await Promise.all(
      tokens.map(async (t) => {
        let last = true;
        for (let i = 0; i < CALLS_PER_CLIENT; i++) {
          const enabled = Math.random() < 0.5;
          await setEnabled(t.id, enabled);
          last = enabled;
        }
        return last;
      }),
    );
    figures.serialisedToggles = { clients: CLIENTS, calls: CLIENTS * CALLS_PER_CLIENT, finalStates: lastAcknowledged };

    const listed = (await bot<View[]>("/panel/api/setting/apiTokens")).json!.obj!;
    const stored = await tokenRows(db);
    for (const [i, t] of tokens.entries()) {
      expect(listed.find((v) => v.id === t.id)?.enabled, `token ${i} in the list`).toBe(lastAcknowledged[i]);
      expect(stored.find((r) => r.id === t.id)?.enabled, `token ${i} in the database`).toBe(lastAcknowledged[i]);
      expect(await authStatus(t.token!), `token ${i} as a bearer`).toBe(lastAcknowledged[i] ? 200 : 401);
    }
  });

  it("8 unsynchronised clients on ONE token: the final state is the one the acknowledgement order allows", async () => {
    // With concurrent callers "the last acknowledged call" is only defined up to the calls still in
    // flight when the last one was sent: any of those may be ordered last. Each client therefore ends
    // with the same value V. Every earlier call was acknowledged before its client's final call was
    // sent, so if the server ever let an older write overtake an acknowledged newer one, the final
    // state would be !V.
    const target = await create({ name: unique("toggle-shared"), scope: "monitor" });
    const finalValue = Math.random() < 0.5;
    interface Call {
      enabled: boolean;
      sentAt: number;
      ackedAt: number;
    }
    const history: Call[] = [];
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        for (let i = 0; i < CALLS_PER_CLIENT; i++) {
          const enabled = i === CALLS_PER_CLIENT - 1 ? finalValue : Math.random() < 0.5;
          const sentAt = performance.now();
          await setEnabled(target.id, enabled);
          history.push({ enabled, sentAt, ackedAt: performance.now() });
        }
      }),
    );
    expect(history).toHaveLength(CLIENTS * CALLS_PER_CLIENT);
    // Calls that a linearisation may put last: acknowledged no earlier than the last call was sent.
    const lastSent = Math.max(...history.map((c) => c.sentAt));
    const mayBeLast = history.filter((c) => c.ackedAt >= lastSent);
    const lastAcked = history.reduce((a, b) => (b.ackedAt > a.ackedAt ? b : a));
    expect(mayBeLast.map((c) => c.enabled)).toEqual(Array(mayBeLast.length).fill(finalValue));
    expect(lastAcked.enabled).toBe(finalValue);
    figures.sharedToggles = { clients: CLIENTS, calls: history.length, inFlightAtTheEnd: mayBeLast.length, finalValue };

    const stored = (await tokenRows(db)).find((r) => r.id === target.id);
    expect(stored?.enabled).toBe(finalValue);
    const listed = (await bot<View[]>("/panel/api/setting/apiTokens")).json!.obj!;
    expect(listed.find((v) => v.id === target.id)?.enabled).toBe(finalValue);
    expect(await authStatus(target.token!)).toBe(finalValue ? 200 : 401);
  });
});

describe("create + delete + list in parallel", () => {
  it("no list ever shows a half-made, unacknowledged-and-unrequested, or already-deleted token", async () => {
    const prefix = unique("mix");
    const requested = new Set<string>();
    const created = new Map<number, { view: View; ackedAt: number }>();
    const deleted = new Map<number, { sentAt: number; ackedAt: number }>();
    const queue: View[] = [];
    let producing = 4;
    let consuming = 2;
    let lists = 0;
    const problems: string[] = [];

    const creator = async (w: number) => {
      for (let i = 0; i < 15; i++) {
        const name = `${prefix}-${w}-${i}`;
        requested.add(name);
        const view = await create({ name, scope: i % 3 === 0 ? "monitor" : "admin" });
        created.set(view.id, { view, ackedAt: performance.now() });
        // Acknowledged means usable: no window in which the row exists but cannot authenticate.
        if ((await authStatus(view.token!)) !== 200) problems.push(`created ${name} did not authenticate right after its ack`);
        queue.push(view);
      }
      producing--;
    };
    const deleter = async () => {
      while (producing > 0 || queue.length > 0) {
        const view = queue.shift();
        if (!view) {
          await new Promise((r) => setTimeout(r, 2));
          continue;
        }
        // Recorded before sending: a list running meanwhile may or may not see the row.
        const record = { sentAt: performance.now(), ackedAt: Infinity };
        deleted.set(view.id, record);
        const res = await bot(`/panel/api/setting/apiTokens/delete/${view.id}`, {});
        if (!res.json?.success) problems.push(`delete ${view.id}: ${res.text}`);
        record.ackedAt = performance.now();
        if ((await authStatus(view.token!)) !== 401) problems.push(`deleted ${view.name} still authenticated after its ack`);
      }
      consuming--;
    };
    const lister = async () => {
      while (producing > 0 || consuming > 0) {
        const startedAt = performance.now();
        const res = await bot<View[]>("/panel/api/setting/apiTokens");
        const endedAt = performance.now();
        lists++;
        if (res.status !== 200 || !res.json?.success) {
          problems.push(`list failed: ${res.status} ${res.text.slice(0, 200)}`);
          continue;
        }
        const views = res.json.obj!;
        const ids = views.map((v) => v.id);
        if (ids.some((id, i) => i > 0 && id <= ids[i - 1]!)) problems.push("list not ordered by id");
        for (const v of views) {
          const keys = Object.keys(v).sort().join(",");
          if (keys !== VIEW_KEYS) problems.push(`view keys ${keys}`);
          if (!/^xui_[0-9A-Za-z]{4}$/.test(v.prefix)) problems.push(`view ${v.id} prefix ${JSON.stringify(v.prefix)}`);
          if (!["admin", "monitor", "node-sync"].includes(v.scope)) problems.push(`view ${v.id} scope ${v.scope}`);
          if (typeof v.enabled !== "boolean" || !Number.isInteger(v.createdAt) || !Number.isInteger(v.expiresAt)) {
            problems.push(`view ${v.id} types ${JSON.stringify(v)}`);
          }
          if (!v.name.startsWith(prefix)) continue;
          if (!requested.has(v.name)) problems.push(`list shows ${v.name}, which nobody asked for`);
          const del = deleted.get(v.id);
          if (del && del.ackedAt < startedAt) problems.push(`list shows ${v.name} after its delete was acknowledged`);
        }
        // Everything acknowledged before this list started, and not being deleted, must be in it.
        for (const [id, c] of created) {
          const del = deleted.get(id);
          if (c.ackedAt < startedAt && (!del || del.sentAt > endedAt) && !ids.includes(id)) {
            problems.push(`acknowledged ${c.view.name} missing from a list`);
          }
        }
      }
    };

    await Promise.all([...[0, 1, 2, 3].map(creator), deleter(), deleter(), lister(), lister(), lister()]);
    figures.createDeleteList = { creates: created.size, deletes: deleted.size, lists, problems: problems.length };
    expect(problems).toEqual([]);
    expect(created.size).toBe(60);
    expect(deleted.size).toBe(60);
    expect(lists).toBeGreaterThan(10);

    const rows = await tokenRows(db);
    expect(rows.filter((r) => r.name.startsWith(prefix))).toEqual([]);
    expect(rows.flatMap((r) => rowProblems(r).map((p) => `${r.id}: ${p}`))).toEqual([]);
  });
});
