import { describe, expect, inject, it } from "vitest";
import { apiRouteFiles } from "../support/routes";
import { bearer, BrowserSession, request } from "../support/client";

const baseUrl = inject("baseUrl");
const admin = inject("admin");
const routes = apiRouteFiles();
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

describe("unauthenticated /panel/api requests (every route file, every method)", () => {
  const cases = routes.flatMap((r) => METHODS.map((m) => [r.sample, m] as const));

  it.each(cases)("%s %s → 404 for scanners, 401 for API clients", async (path, method) => {
    const plain = await request(baseUrl, path, { method });
    expect(plain.status).toBe(404);
    expect(plain.json).toEqual({ success: false, msg: "not found", obj: null });

    const xhr = await request(baseUrl, path, { method, headers: { "x-requested-with": "XMLHttpRequest" } });
    expect(xhr.status).toBe(401);
    expect(xhr.json?.success).toBe(false);

    for (const auth of ["Bearer", "Bearer ", "Bearer xui_nope", `Bearer ${"A".repeat(10_000)}`]) {
      const res = await request(baseUrl, path, { method, headers: { authorization: auth } });
      expect(res.status, auth.slice(0, 20)).toBe(401);
      expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
    }
  });

  it("a non-bearer Authorization header is not a credential (404 without XHR)", async () => {
    for (const auth of ["", "Basic YWRtaW46YWRtaW4=", "Token abc"]) {
      const res = await request(baseUrl, "/panel/api/setting/apiTokens", { headers: { authorization: auth } });
      expect(res.status).toBe(404);
    }
  });

  it("an anonymous caller cannot tell real routes from made-up ones", async () => {
    const real = await request(baseUrl, "/panel/api/setting/apiTokens", { method: "DELETE" });
    const fake = await request(baseUrl, "/panel/api/not/a/route", { method: "DELETE" });
    expect([real.status, real.text]).toEqual([fake.status, fake.text]);
  });
});

describe("authenticated edge cases", () => {
  it("unknown routes answer 404 and wrong methods 405, after authentication", async () => {
    const s = new BrowserSession(baseUrl);
    await s.login(admin.username, admin.password);
    const unknown = await s.send("/panel/api/nope");
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ success: false, msg: "not found", obj: null });
    const wrongMethod = await s.send("/panel/api/setting/apiTokens", { method: "PUT", body: {} });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toContain("GET");
  });

  it("a bad bearer token fails even when a valid session cookie rides along", async () => {
    const s = new BrowserSession(baseUrl);
    await s.login(admin.username, admin.password);
    const res = await s.send("/panel/api/setting/apiTokens", { headers: bearer("xui_wrong") });
    expect(res.status).toBe(401);
  });
});

describe("login, logout and sessions", () => {
  it("GET /csrf-token returns a token and sets an HttpOnly SameSite=Lax cookie", async () => {
    const res = await request<string>(baseUrl, "/csrf-token");
    expect(res.json?.success).toBe(true);
    expect(res.json?.obj).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("3x-ui="));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Path=\//);
  });

  it("logs in with JSON and a CSRF token, issuing a new session id (no fixation)", async () => {
    const s = new BrowserSession(baseUrl);
    await s.refreshCsrf();
    const planted = s.cookie;
    const res = await s.send("/login", { body: admin });
    expect(res.json).toEqual({ success: true, msg: "You have successfully logged into your account.", obj: null });
    expect(s.cookie).toBeDefined();
    expect(s.cookie).not.toBe(planted);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("3x-ui="))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/); // plain http on loopback
    await s.refreshCsrf();
    expect((await s.send("/panel/api/setting/apiTokens")).status).toBe(200);
    // The pre-login cookie was never a session.
    const withPlanted = await request(baseUrl, "/panel/api/setting/apiTokens", { headers: { cookie: `3x-ui=${planted}` } });
    expect(withPlanted.status).toBe(404);
  });

  it("a valid bearer token stands in for the CSRF token: a login without any cookie gets a fresh cookie and a working session", async () => {
    const s = new BrowserSession(baseUrl);
    await s.login(admin.username, admin.password);
    const token = (await s.send<{ token: string }>("/panel/api/setting/apiTokens/create", { body: { name: `login-by-bot-${Date.now()}` } })).json!.obj!.token;
    const res = await request(baseUrl, "/login", { headers: bearer(token), body: admin });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ success: true, msg: "You have successfully logged into your account.", obj: null });
    const cookie = /^3x-ui=([^;]+)/.exec(res.headers.getSetCookie().find((c) => c.startsWith("3x-ui="))!)![1]!;
    const xhr = { "x-requested-with": "XMLHttpRequest" };
    expect((await request(baseUrl, "/panel/api/setting/apiTokens", { headers: { ...xhr, cookie: `3x-ui=${cookie}` } })).status).toBe(200);
    // A refused token stands in for nothing.
    expect((await request(baseUrl, "/login", { headers: bearer("xui_refused"), body: admin })).status).toBe(401);
  });

  it("accepts a form-encoded login (3x-ui scripts)", async () => {
    const s = new BrowserSession(baseUrl);
    await s.refreshCsrf();
    const res = await s.send("/login", {
      body: `username=${encodeURIComponent(admin.username)}&password=${encodeURIComponent(admin.password)}`,
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(res.json?.success).toBe(true);
  });

  it("refuses login without the CSRF token", async () => {
    const s = new BrowserSession(baseUrl);
    await s.refreshCsrf();
    const res = await s.send("/login", { body: admin, csrf: false });
    expect(res.status).toBe(403);
    expect(res.json?.success).toBe(false);
    const noCookie = await request(baseUrl, "/login", { body: admin });
    expect(noCookie.status).toBe(403);
  });

  it("gives the same answer for a wrong password and an unknown user", async () => {
    const s = new BrowserSession(baseUrl);
    const wrong = await s.login(admin.username, "not-the-password");
    const ghost = await s.login("ghost-user", "not-the-password");
    for (const res of [wrong, ghost]) {
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ success: false, msg: "Invalid username or password or two-factor code.", obj: null });
    }
  });

  it("throttles repeated failures per IP+username (429), without locking out another IP", async () => {
    // Its own admin name, so the shared admin is never throttled. Two loopback addresses = two machines.
    const attacker = new BrowserSession(baseUrl, "127.0.0.1");
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await attacker.login("throttle-target", `guess-${i}`));
    expect(results.slice(0, 5).map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(results[5]!.status).toBe(429);
    expect(results[5]!.json?.msg).toMatch(/too many failed login attempts/);
    expect(Number(results[5]!.headers.get("retry-after"))).toBeGreaterThan(0);

    const elsewhere = new BrowserSession(baseUrl, "127.0.0.2");
    const other = await elsewhere.login("throttle-target", "guess-x");
    expect(other.status).toBe(200);
    expect(other.json?.msg).toBe("Invalid username or password or two-factor code.");
  });

  it("40 parallel guesses from one address for one name: at most the budget (5) gets a password check", async () => {
    // Before the fix the counter was read, the password checked, and only then counted: 39 of 40 were checked.
    const attacker = new BrowserSession(baseUrl, "127.0.0.9");
    await attacker.refreshCsrf();
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => attacker.send("/login", { body: { username: "race-target", password: `race-guess-${i}` } })),
    );
    const checked = results.filter((r) => r.status !== 429);
    const throttled = results.filter((r) => r.status === 429);
    expect(checked.length).toBe(5);
    for (const r of checked) expect(r.json?.msg).toBe("Invalid username or password or two-factor code.");
    expect(checked.length + throttled.length).toBe(40);
    for (const r of throttled) expect(r.json?.msg).toMatch(/too many failed login attempts/);
  });

  it("a spoofed X-Forwarded-For does not move the throttle to another IP", async () => {
    const attacker = new BrowserSession(baseUrl, "127.0.0.3");
    for (let i = 0; i < 5; i++) {
      await attacker.login("spoof-target", `guess-${i}`);
    }
    await attacker.refreshCsrf();
    const res = await attacker.send("/login", {
      body: { username: "spoof-target", password: "x" },
      headers: { "x-forwarded-for": "203.0.113.99", "x-xui-socket-address": "203.0.113.99" },
    });
    expect(res.status).toBe(429);
  });

  it("takes the session from the Cookie header only: the server's internal cookie header is its own", async () => {
    const s = new BrowserSession(baseUrl);
    await s.login(admin.username, admin.password);
    const value = `3x-ui=${s.cookie!}`;
    const path = "/panel/api/setting/apiTokens";
    const xhr = { "x-requested-with": "XMLHttpRequest" };
    expect((await request(baseUrl, path, { headers: { ...xhr, cookie: value } })).status).toBe(200);
    expect((await request(baseUrl, path, { headers: { ...xhr, "x-xui-cookie": value } })).status).toBe(401);
    // A forged internal header does not replace the real cookie either.
    expect((await request(baseUrl, path, { headers: { ...xhr, cookie: value, "x-xui-cookie": "3x-ui=forged" } })).status).toBe(200);
    expect((await request(baseUrl, "/panel/settings/security", { headers: { cookie: "3x-ui=forged", "x-xui-cookie": value } })).status).toBe(307);
    // Pages keep the Cookie header (next/headers reads it).
    expect((await request(baseUrl, "/panel/settings/security", { headers: { cookie: value } })).status).toBe(200);
  });

  it("logout ends the session server-side; replaying the old cookie fails", async () => {
    const s = new BrowserSession(baseUrl);
    await s.login(admin.username, admin.password);
    const cookie = s.cookie!;
    expect((await s.send("/panel/api/setting/apiTokens")).status).toBe(200);
    const noCsrf = await s.send("/logout", { method: "POST", csrf: false });
    expect(noCsrf.status).toBe(403);
    const out = await s.send("/logout", { method: "POST" });
    expect(out.json?.success).toBe(true);
    expect(out.headers.getSetCookie().join()).toMatch(/3x-ui=;.*Max-Age=0/);
    const replay = await request(baseUrl, "/panel/api/setting/apiTokens", {
      headers: { cookie: `3x-ui=${cookie}`, "x-requested-with": "XMLHttpRequest" },
    });
    expect(replay.status).toBe(401);
  });
});
