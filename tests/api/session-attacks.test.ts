import type { Client } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { bearer, BrowserSession, request } from "../support/client";
import { openDirect, snapshotTables } from "../support/direct-db";
import { apiRouteFiles } from "../support/routes";
import { expectSecurityHeaders } from "../support/security-headers";

/**
 * Attacks on the browser session that tests/api/auth.test.ts does not already
 * cover (CSRF on login/logout, fixation, logout replay, the per-IP+user
 * throttle and other IPs, cookie flags there; security headers on a fixed list
 * in tests/api/server.test.ts).
 */
const baseUrl = inject("baseUrl");
const databaseUrl = inject("databaseUrl");
const admin = inject("admin");

let db: Client;
let victim: BrowserSession;
let victimTokenId: number;

beforeAll(async () => {
  db = openDirect(databaseUrl);
  victim = new BrowserSession(baseUrl);
  expect((await victim.login(admin.username, admin.password)).json?.success).toBe(true);
  const created = await victim.send<{ id: number }>("/panel/api/setting/apiTokens/create", {
    body: { name: `csrf-victim-${Math.random().toString(36).slice(2, 8)}` },
  });
  victimTokenId = created.json!.obj!.id;
});

afterAll(() => db?.close());

const CSRF_REFUSAL = { success: false, msg: "invalid or missing CSRF token", obj: null };

/** What a page on evil.example makes the victim's browser send: the cookie rides along, no CSRF header. */
function crossSite(cookie: string, contentType: string): Record<string, string> {
  return {
    cookie: `3x-ui=${cookie}`,
    "content-type": contentType,
    origin: "https://evil.example",
    referer: "https://evil.example/attack.html",
    "sec-fetch-site": "cross-site",
    "sec-fetch-mode": "navigate",
  };
}

describe("cross-site requests riding on the admin's session cookie (CSRF)", () => {
  const forms: [string, string, string][] = [
    ["/panel/api/setting/apiTokens/create", "application/x-www-form-urlencoded", "name=planted-by-evil&scope=admin"],
    ["/panel/api/setting/apiTokens/create", "text/plain", '{"name":"planted-by-evil","ignore":"="}'],
    ["/panel/api/setting/apiTokens/create", "multipart/form-data; boundary=xx", '--xx\r\nContent-Disposition: form-data; name="name"\r\n\r\nevil\r\n--xx--'],
    ["/panel/api/setting/apiTokens/setEnabled/{victim}", "application/x-www-form-urlencoded", "enabled=false"],
    ["/panel/api/setting/apiTokens/delete/{victim}", "application/x-www-form-urlencoded", ""],
    ["/panel/api/setting/updateUser", "text/plain", JSON.stringify({ oldUsername: admin.username, oldPassword: "guess", newUsername: "evil", newPassword: "evil-password-1" })],
    ["/logout", "application/x-www-form-urlencoded", ""],
  ];

  it.each(forms)("POST %s (%s) → 403, nothing changes, the session lives on", async (path, contentType, body) => {
    const before = await snapshotTables(db);
    const res = await request(baseUrl, path.replace("{victim}", String(victimTokenId)), {
      method: "POST",
      headers: crossSite(victim.cookie!, contentType),
      body,
    });
    expect(res.status).toBe(403);
    expect(res.json).toEqual(CSRF_REFUSAL);
    expect(await snapshotTables(db)).toEqual(before);
    expect((await victim.send("/panel/api/setting/apiTokens")).status).toBe(200);
  });

  it("a cross-site form login (login CSRF: signing the victim into the attacker's account) is refused", async () => {
    const res = await request(baseUrl, "/login", {
      method: "POST",
      headers: crossSite(victim.cookie!, "application/x-www-form-urlencoded"),
      body: `username=${encodeURIComponent(admin.username)}&password=${encodeURIComponent(admin.password)}`,
    });
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it("a valid CSRF token of another session (the attacker's own) does not unlock the victim's", async () => {
    const attacker = new BrowserSession(baseUrl, "127.0.0.6");
    await attacker.refreshCsrf(); // anonymous: what anyone can get
    const signedIn = new BrowserSession(baseUrl, "127.0.0.6");
    await signedIn.login(admin.username, admin.password);
    for (const csrf of [attacker.csrf!, signedIn.csrf!]) {
      const before = await snapshotTables(db);
      const res = await request(baseUrl, "/panel/api/setting/apiTokens/create", {
        headers: { cookie: `3x-ui=${victim.cookie}`, "x-csrf-token": csrf },
        body: { name: "foreign-csrf" },
      });
      expect(res.status).toBe(403);
      expect(res.json).toEqual(CSRF_REFUSAL);
      expect(await snapshotTables(db)).toEqual(before);
    }
  });
});

describe("session lifecycle", () => {
  it("logging in again from a signed-in browser issues a new session id and kills the old one; the browser keeps its CSRF token", async () => {
    const s = new BrowserSession(baseUrl);
    await s.login(admin.username, admin.password);
    const [oldCookie, oldCsrf] = [s.cookie!, s.csrf!];
    await s.login(admin.username, admin.password);
    expect(s.cookie).not.toBe(oldCookie);
    // As in 3x-ui: the CSRF token belongs to the browser, not to one login.
    expect(s.csrf).toBe(oldCsrf);
    expect((await s.send("/panel/api/setting/apiTokens")).status).toBe(200);
    const replay = await request(baseUrl, "/panel/api/setting/apiTokens/create", {
      headers: { cookie: `3x-ui=${oldCookie}`, "x-csrf-token": oldCsrf, "x-requested-with": "XMLHttpRequest" },
      body: { name: "replayed" },
    });
    expect(replay.status).toBe(401);
  });

  it("after logout the old cookie fails on pages too (redirect to /login), not only on the API", async () => {
    const s = new BrowserSession(baseUrl);
    await s.login(admin.username, admin.password);
    const cookie = s.cookie!;
    expect((await request(baseUrl, "/panel/settings/security", { headers: { cookie: `3x-ui=${cookie}` } })).status).toBe(200);
    const out = await s.send("/logout", { method: "POST" });
    expect(out.json?.success).toBe(true);
    const cleared = out.headers.getSetCookie().find((c) => c.startsWith("3x-ui="));
    expect(cleared).toMatch(/HttpOnly/);
    expect(cleared).toMatch(/SameSite=Lax/);
    const page = await request(baseUrl, "/panel/settings/security", { headers: { cookie: `3x-ui=${cookie}` } });
    expect(page.status).toBe(307);
    expect(page.headers.get("location")).toMatch(/^\/login\?next=/);
  });
});

describe("login throttling", () => {
  it("once an IP has spent its failures on a user, even the right password is refused there (429); another IP logs in", async () => {
    const guesser = new BrowserSession(baseUrl, "127.0.0.5");
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push((await guesser.login(admin.username, `wrong-${i}`)).json?.msg);
    expect(answers).toEqual(Array(5).fill("Invalid username or password or two-factor code."));
    const right = await guesser.login(admin.username, admin.password);
    expect(right.status).toBe(429);
    expect(right.headers.getSetCookie().filter((c) => c.startsWith("3x-ui=") && !c.includes("Max-Age=0"))).toHaveLength(0);
    // The real admin elsewhere is not locked out.
    expect((await new BrowserSession(baseUrl, "127.0.0.1").login(admin.username, admin.password)).json?.success).toBe(true);
  });
});

describe("security headers on every page and API answer", () => {
  const pages = ["/", "/login", "/login?next=%2Fpanel", "/panel", "/panel/settings/security", "/does-not-exist", "/login/"];

  it.each(pages)("page %s, signed out and signed in", async (path) => {
    for (const cookie of [undefined, victim.cookie]) {
      for (const method of ["GET", "HEAD"]) {
        const res = await request(baseUrl, path, { method, headers: cookie ? { cookie: `3x-ui=${cookie}` } : {} });
        expect(res.status, `${method} ${path}`).toBeLessThan(500);
        expectSecurityHeaders(res.headers, `${method} ${path} ${cookie ? "signed in" : "signed out"}`);
      }
    }
  });

  // An id no token has: these requests carry a valid session and CSRF token.
  const apiCases = apiRouteFiles().flatMap((r) =>
    ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"].map(
      (m) => [r.pattern.replace("{id}", "987654321").replace(/\{\w+\*\}/, "does/not/exist"), m] as const,
    ),
  );
  it.each(apiCases)("%s %s: anonymous, session, session without CSRF, bearer, oversized body", async (path, method) => {
    const variants: Record<string, string>[] = [
      {},
      { "x-requested-with": "XMLHttpRequest" },
      { cookie: `3x-ui=${victim.cookie}`, "x-csrf-token": victim.csrf! },
      { cookie: `3x-ui=${victim.cookie}` },
      bearer("xui_not_a_real_token"),
    ];
    for (const headers of variants) {
      const res = await request(baseUrl, path, { method, headers });
      expectSecurityHeaders(res.headers, `${method} ${path} ${JSON.stringify(Object.keys(headers))}`);
    }
    if (method === "POST") {
      const big = await request(baseUrl, path, {
        method,
        headers: { cookie: `3x-ui=${victim.cookie}`, "x-csrf-token": victim.csrf! },
        body: "x".repeat(70 * 1024),
      });
      expectSecurityHeaders(big.headers, `oversized ${method} ${path}`);
    }
  });

  it.each(["/csrf-token", "/logout", "/login", "/healthz"])("%s with every method", async (path) => {
    for (const method of ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]) {
      const res = await request(baseUrl, path, { method });
      expect(res.status, `${method} ${path}`).toBeLessThan(500);
      expectSecurityHeaders(res.headers, `${method} ${path}`);
    }
  });
});

describe("no open redirect through ?next=", () => {
  const hostile = [
    "https://evil.example",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https:evil.example",
    "/%2F/evil.example",
    "/%09/evil.example",
    "%2F%2Fevil.example",
    "javascript:alert(1)",
    "http://127.0.0.1@evil.example",
    // Same-origin as typed; `//evil.example` after dot-segment normalisation.
    "/.//evil.example",
    "/%2e//evil.example",
    "/%2E%2E//evil.example",
    "/x/..//evil.example",
    "/x/%2e%2e//evil.example",
    "/x/..\\evil.example",
    "/%5C%5Cevil.example",
    "/%2F%2Fevil.example",
  ];

  /** A path on this site, and (followed one more hop on this server) not a way off it either. */
  async function expectStaysOnSite(location: string, where: string) {
    expect(location, where).toMatch(/^\/(?![/\\])/);
    expect(new URL(location, baseUrl).origin, where).toBe(new URL(baseUrl).origin);
    const next = await request(baseUrl, location, { headers: { cookie: `3x-ui=${victim.cookie}` } });
    const again = next.headers.get("location");
    if (again) expect(new URL(again, new URL(location, baseUrl)).origin, `${where} → ${location}`).toBe(new URL(baseUrl).origin);
  }

  it.each(hostile)("signed in, /login?next=%s lands on this site", async (next) => {
    const res = await request(baseUrl, `/login?next=${encodeURIComponent(next)}`, { headers: { cookie: `3x-ui=${victim.cookie}` } });
    expect(res.status).toBe(307);
    await expectStaysOnSite(res.headers.get("location")!, next);
  });

  it.each(hostile)("signed out, the login form for next=%s sends the browser to this site only", async (next) => {
    const res = await request(baseUrl, `/login?next=${encodeURIComponent(next)}`);
    expect(res.status).toBe(200);
    // The form's target, as the server renders it into the page's props.
    const targets = [...res.text.matchAll(/\\"next\\":\\"([^"\\]*)\\"/g)].map((m) => m[1]!);
    expect(targets.length).toBeGreaterThan(0);
    for (const t of targets) await expectStaysOnSite(t, next);
  });

  it.each(["https://evil.example", "//evil.example", "/\\evil.example", "javascript:alert(1)"])(
    "%s falls back to the panel itself",
    async (next) => {
      const res = await request(baseUrl, `/login?next=${encodeURIComponent(next)}`, { headers: { cookie: `3x-ui=${victim.cookie}` } });
      expect(res.headers.get("location")).toBe("/panel/settings/security");
    },
  );

  it("a same-site next is kept (the check is not just 'always go home')", async () => {
    const res = await request(baseUrl, "/login?next=%2Fpanel%2Fsettings%2Fsecurity%3Ftab%3Dtokens", {
      headers: { cookie: `3x-ui=${victim.cookie}` },
    });
    expect(res.headers.get("location")).toBe("/panel/settings/security?tab=tokens");
  });
});
