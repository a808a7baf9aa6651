import type { Client } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runPanel } from "../support/cli";
import { bearer, BrowserSession, request } from "../support/client";
import { openDirect } from "../support/direct-db";
import { ageConfirmation as ageSessionConfirmation, sessionHashOf } from "../support/reauth";

const baseUrl = inject("baseUrl");
const databaseUrl = inject("databaseUrl");
const admin = inject("admin");

interface SessionView {
  id: string;
  createdAt: number;
  lastSeenAt: number;
  ip: string;
  userAgent: string;
  browser: string;
  os: string;
  username: string;
  current: boolean;
}

const CHROME_LINUX = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36";
const FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
const SESSIONS = "/panel/api/setting/sessions";
const REAUTH_MSG = "confirm it's you: re-authenticate to do this";

let db: Client;
beforeAll(() => {
  db = openDirect(databaseUrl);
});
afterAll(() => db.close());

/** A browser of its own admin (made with the CLI), so revoking "every other session" touches no other test file. */
async function adminOfItsOwn(name: string): Promise<{ username: string; password: string }> {
  const password = `password-of-${name}`;
  const made = await runPanel(["admin", "reset", "--username", name, "--password", password], databaseUrl);
  expect(made.code, made.stderr).toBe(0);
  return { username: name, password };
}

async function signIn(who: { username: string; password: string }, userAgent = CHROME_LINUX, localAddress?: string) {
  const s = new BrowserSession(baseUrl, localAddress);
  const ua = { "user-agent": userAgent };
  const csrf = await s.send<string>("/csrf-token", { headers: ua });
  s.csrf = csrf.json!.obj!;
  const res = await s.send("/login", { body: who, headers: ua });
  expect(res.json?.success, res.text).toBe(true);
  return s;
}

const xhr = (s: BrowserSession) => ({ "x-requested-with": "XMLHttpRequest", cookie: `3x-ui=${s.cookie}` });

const ageConfirmation = (s: BrowserSession) => ageSessionConfirmation(db, s);

async function auditRows(action: string, targetName: string) {
  const rs = await db.execute({ sql: "SELECT detail, actor_type FROM audit_events WHERE action = ? AND target_name = ? ORDER BY id", args: [action, targetName] });
  return rs.rows.map((r) => ({ detail: JSON.parse(String(r.detail)) as Record<string, unknown>, actorType: r.actor_type }));
}

describe("active sessions", () => {
  it("lists this admin's sessions with browser, OS, IP and which one is this browser; the id is neither the cookie nor its hash", async () => {
    const who = await adminOfItsOwn("sessions-list");
    const here = await signIn(who, CHROME_LINUX, "127.0.0.21");
    const there = await signIn(who, FIREFOX_WINDOWS, "127.0.0.22");
    const res = await here.send<SessionView[]>(SESSIONS);
    expect(res.status).toBe(200);
    const list = res.json!.obj!;
    expect(list).toHaveLength(2);
    const mine = list.find((s) => s.current)!;
    const theirs = list.find((s) => !s.current)!;
    expect(mine).toMatchObject({ ip: "127.0.0.21", browser: "Chrome 140", os: "Linux", username: who.username, userAgent: CHROME_LINUX });
    expect(theirs).toMatchObject({ ip: "127.0.0.22", browser: "Firefox 133", os: "Windows 10", current: false });
    expect(mine.lastSeenAt).toBeGreaterThanOrEqual(mine.createdAt);
    expect(Math.abs(mine.createdAt - Date.now())).toBeLessThan(60_000);
    for (const s of [here, there]) {
      expect(res.text).not.toContain(s.cookie!.split(".")[1]);
      expect(res.text).not.toContain(sessionHashOf(s));
    }
    // Seen from the other browser, the other one is current.
    const fromThere = (await there.send<SessionView[]>(SESSIONS)).json!.obj!;
    expect(fromThere.find((s) => s.current)!.id).toBe(theirs.id);
  });

  it("revoking one session refuses its very next request; the revoker stays signed in; audited", async () => {
    const who = await adminOfItsOwn("sessions-revoke");
    const here = await signIn(who);
    const there = await signIn(who, FIREFOX_WINDOWS);
    expect((await request(baseUrl, SESSIONS, { headers: xhr(there) })).status).toBe(200);
    const target = (await here.send<SessionView[]>(SESSIONS)).json!.obj!.find((s) => !s.current)!;
    const res = await here.send(`${SESSIONS}/revoke/${target.id}`, { method: "POST" });
    expect(res.json, res.text).toEqual({ success: true, msg: "", obj: null });
    expect((await request(baseUrl, SESSIONS, { headers: xhr(there) })).status).toBe(401);
    expect((await here.send(SESSIONS)).status).toBe(200);
    expect(await auditRows("session.revoked", who.username)).toEqual([{ detail: { session: target.id, ip: "127.0.0.1" }, actorType: "session" }]);
  });

  it("an unknown, malformed or foreign session id: 400 `session not found`, nothing ends", async () => {
    const who = await adminOfItsOwn("sessions-foreign");
    const mine = await signIn(who);
    const someoneElse = await signIn(admin);
    const foreign = (await someoneElse.send<SessionView[]>(SESSIONS)).json!.obj!.find((s) => s.current)!;
    for (const id of [foreign.id, "AAAAAAAAAAAAAAAA", "short", "../../logout", "%2e%2e", "A".repeat(200)]) {
      const res = await mine.send(`${SESSIONS}/revoke/${encodeURIComponent(id)}`, { method: "POST" });
      expect([res.status, res.json?.msg], id).toEqual([400, "session not found"]);
    }
    expect((await someoneElse.send(SESSIONS)).status).toBe(200);
  });

  it("revokeOthers ends every other session of this admin (and no other admin's); a second call writes nothing", async () => {
    const who = await adminOfItsOwn("sessions-others");
    const keep = await signIn(who);
    const others = [await signIn(who), await signIn(who), await signIn(who)];
    const bystander = await signIn(admin);
    const res = await keep.send<{ revoked: number }>(`${SESSIONS}/revokeOthers`, { method: "POST" });
    expect(res.json?.obj).toEqual({ revoked: 3 });
    for (const s of others) expect((await request(baseUrl, SESSIONS, { headers: xhr(s) })).status).toBe(401);
    expect((await keep.send(SESSIONS)).status).toBe(200);
    expect((await bystander.send(SESSIONS)).status).toBe(200);
    const again = await keep.send<{ revoked: number }>(`${SESSIONS}/revokeOthers`, { method: "POST" });
    expect(again.json?.obj).toEqual({ revoked: 0 });
    expect(await auditRows("session.revoked", who.username)).toEqual([{ detail: { others: true, count: 3 }, actorType: "session" }]);
  });

  it("needs CSRF from a browser; a monitor token may not list; an admin token sees every admin's sessions, none current", async () => {
    const who = await adminOfItsOwn("sessions-tokens");
    const s = await signIn(who);
    expect((await s.send(`${SESSIONS}/revokeOthers`, { method: "POST", csrf: false })).status).toBe(403);
    const monitor = (await s.send<{ token: string }>("/panel/api/setting/apiTokens/create", { body: { name: "sessions-monitor", scope: "monitor" } })).json!.obj!.token;
    expect((await request(baseUrl, SESSIONS, { headers: bearer(monitor) })).status).toBe(403);
    const adminToken = (await s.send<{ token: string }>("/panel/api/setting/apiTokens/create", { body: { name: "sessions-admin" } })).json!.obj!.token;
    const all = (await request<SessionView[]>(baseUrl, SESSIONS, { headers: bearer(adminToken) })).json!.obj!;
    expect(all.some((x) => x.username === who.username)).toBe(true);
    expect(all.some((x) => x.username === admin.username)).toBe(true);
    expect(all.every((x) => !x.current)).toBe(true);
  });

  it("CLI `admin sessions revoke --username` signs that admin out everywhere, audited as the CLI", async () => {
    const who = await adminOfItsOwn("sessions-cli");
    const a = await signIn(who);
    const b = await signIn(who);
    const out = await runPanel(["admin", "sessions", "revoke", "--username", who.username], databaseUrl);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toBe(`Signed out 2 sessions of admin "${who.username}".\n`);
    // The CLI is another process: the server learns of it from the session generation.
    await new Promise((r) => setTimeout(r, 400));
    for (const s of [a, b]) expect((await request(baseUrl, SESSIONS, { headers: xhr(s) })).status).toBe(401);
    expect(await auditRows("session.revoked", who.username)).toEqual([{ detail: { all: true, count: 2 }, actorType: "system" }]);
    const unknown = await runPanel(["admin", "sessions", "revoke", "--username", "nobody-by-that-name"], databaseUrl);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no admin named "nobody-by-that-name"');
  });
});

describe("re-authentication (sudo mode)", () => {
  it("the login opens the window: a fresh session mints an admin token without being asked", async () => {
    const s = await signIn(await adminOfItsOwn("reauth-fresh"));
    const res = await s.send("/panel/api/setting/apiTokens/create", { body: { name: "reauth-fresh-admin" } });
    expect(res.json?.success, res.text).toBe(true);
  });

  it("past 10 minutes: admin-token mint and rotate answer 403 + X-Reauth-Required; nothing changes; a credential change is its own confirmation", async () => {
    const who = await adminOfItsOwn("reauth-old");
    const s = await signIn(who);
    const made = await s.send<{ id: number }>("/panel/api/setting/apiTokens/create", { body: { name: "reauth-old-admin" } });
    const monitor = await s.send<{ id: number }>("/panel/api/setting/apiTokens/create", { body: { name: "reauth-old-monitor", scope: "monitor" } });
    await ageConfirmation(s);
    const before = await db.execute("SELECT count(*) AS n, group_concat(token_hash) AS hashes FROM api_tokens");
    const refused = [
      await s.send("/panel/api/setting/apiTokens/create", { body: { name: "reauth-old-second" } }),
      await s.send(`/panel/api/setting/apiTokens/rotate/${made.json!.obj!.id}`, { body: {} }),
    ];
    for (const res of refused) {
      expect([res.status, res.json?.msg]).toEqual([403, REAUTH_MSG]);
      expect(res.headers.get("x-reauth-required")).toBe("1");
    }
    expect((await db.execute("SELECT count(*) AS n, group_concat(token_hash) AS hashes FROM api_tokens")).rows).toEqual(before.rows);
    // What is not sensitive is not asked: a monitor token, its rotation, reading.
    expect((await s.send("/panel/api/setting/apiTokens/create", { body: { name: "reauth-old-monitor-2", scope: "monitor" } })).json?.success).toBe(true);
    expect((await s.send(`/panel/api/setting/apiTokens/rotate/${monitor.json!.obj!.id}`, { body: {} })).json?.success).toBe(true);
    expect((await s.send(SESSIONS)).status).toBe(200);
    // A new way in is sensitive too: a passkey or an authenticator app.
    for (const path of ["/panel/api/setting/passkeys/registerOptions", "/panel/api/setting/twoFactor/setup", "/panel/api/setting/twoFactor/enable"]) {
      const res = await s.send(path, { body: path.endsWith("enable") ? { code: "123456" } : {} });
      expect([res.status, res.json?.msg], path).toEqual([403, REAUTH_MSG]);
    }
    expect((await db.execute({ sql: "SELECT count(*) AS n FROM two_factor WHERE user_id = (SELECT id FROM admin_users WHERE username = ?)", args: [who.username] })).rows[0]!.n).toBe(0);
    // The current password the change requires is the confirmation.
    const changed = await s.send("/panel/api/setting/updateUser", {
      body: { oldUsername: who.username, oldPassword: who.password, newUsername: who.username, newPassword: "a-new-password-1" },
    });
    expect(changed.json?.success, changed.text).toBe(true);
  });

  it("a wrong password is refused and audited; the right one opens the window for this session only", async () => {
    const who = await adminOfItsOwn("reauth-confirm");
    const s = await signIn(who);
    const other = await signIn(who);
    await ageConfirmation(s);
    await ageConfirmation(other);
    const wrong = await s.send("/panel/api/setting/reauth", { body: { password: "not-it" } });
    expect([wrong.status, wrong.json?.msg]).toEqual([400, "password or code is incorrect"]);
    expect((await s.send("/panel/api/setting/apiTokens/create", { body: { name: "reauth-confirm-1" } })).status).toBe(403);
    const right = await s.send("/panel/api/setting/reauth", { body: { password: who.password } });
    expect(right.json, right.text).toEqual({ success: true, msg: "", obj: null });
    expect((await s.send("/panel/api/setting/apiTokens/create", { body: { name: "reauth-confirm-2" } })).json?.success).toBe(true);
    expect((await other.send("/panel/api/setting/apiTokens/create", { body: { name: "reauth-confirm-3" } })).status).toBe(403);
    expect((await auditRows("session.reauthenticated", who.username)).map((r) => r.detail)).toEqual([{ method: "password" }]);
    expect(await auditRows("reauth.failure", who.username)).toHaveLength(1);
  });

  it("wrong answers count against the login throttle (429 after the budget), and another admin's password does not confirm", async () => {
    const who = await adminOfItsOwn("reauth-throttle");
    const s = await signIn(who, CHROME_LINUX, "127.0.0.23");
    const answers = [];
    for (let i = 0; i < 6; i++) answers.push(await s.send("/panel/api/setting/reauth", { body: { password: i === 0 ? admin.password : `guess-${i}` } }));
    expect(answers.slice(0, 5).map((r) => r.status)).toEqual([400, 400, 400, 400, 400]);
    expect(answers[5]!.status).toBe(429);
  });

  it("bad input: nothing given, a number, a huge password → 400 with words, nothing recorded", async () => {
    const who = await adminOfItsOwn("reauth-bad-input");
    const s = await signIn(who);
    const cases: [unknown, string][] = [
      [{}, "give your password, a two-factor code or a passkey"],
      [{ password: "" }, "give your password, a two-factor code or a passkey"],
      [{ password: 12345 }, "give your password, a two-factor code or a passkey"],
      [{ password: "x".repeat(5000) }, "password or code is incorrect"],
    ];
    for (const [body, msg] of cases) {
      const res = await s.send("/panel/api/setting/reauth", { body });
      expect([res.status, res.json?.msg], JSON.stringify(body).slice(0, 40)).toEqual([400, msg]);
    }
    expect(await auditRows("session.reauthenticated", who.username)).toEqual([]);
    expect(await auditRows("reauth.failure", who.username)).toEqual([]);
  });

  it("bearer tokens are never asked: an admin token mints admin tokens at any age, and /reauth tells a token it is not for it", async () => {
    const s = await signIn(await adminOfItsOwn("reauth-bearer"));
    const token = (await s.send<{ token: string }>("/panel/api/setting/apiTokens/create", { body: { name: "reauth-bearer-admin" } })).json!.obj!.token;
    const minted = await request(baseUrl, "/panel/api/setting/apiTokens/create", { headers: bearer(token), body: { name: "reauth-bearer-minted" } });
    expect(minted.json?.success).toBe(true);
    const res = await request(baseUrl, "/panel/api/setting/reauth", { headers: bearer(token), body: { password: "x" } });
    expect([res.status, res.json?.msg]).toEqual([400, "API tokens are never asked to re-authenticate; this is for browser sessions"]);
  });
});
