/**
 * The real npm client `3xui-api-client` 3.2.1 (node_modules, CommonJS, axios;
 * nothing mocked or stubbed) against the real production server. What it proves:
 * a bot written for 3x-ui with this package works against this panel unchanged,
 * in both of its modes:
 *   - session mode (username + password): GET /csrf-token → POST /panel/api/login
 *     (must be refused, 401, so the client falls back) → POST /login, whose first
 *     Set-Cookie must be the `3x-ui` session; the pre-login CSRF token keeps working
 *     for every later POST; an ended session (401) is recovered by re-login;
 *   - token mode ({ token }): only `Authorization: Bearer`, no cookie, no CSRF,
 *     including POST /getTwoFactorEnable;
 * and that server status, 2FA and API-token management answer in 3x-ui's shapes.
 * The package has no token methods, so those go through its generic `_request`,
 * which resolves to the whole envelope (also when `success` is false) and throws
 * on any non-2xx. Effects are checked independently with our own `request()`.
 *
 * Package quirks this file works with (see node_modules/3xui-api-client/index.js):
 *   - session mode keeps each session in a memory store with a one-hour,
 *     non-unref'd setTimeout; only logout() (which deletes the stored session)
 *     cancels it, so every session client here is logged out in afterAll;
 *   - logout() sends GET /logout, which 3x-ui (and this panel) do not have (405),
 *     and swallows the error: it never ends the session server-side. `endSession()`
 *     therefore POSTs /logout (with the client's cookie + CSRF) before logout().
 */
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { bearer, BrowserSession, request } from "../support/client";
import { rejection, recordTraffic, summary, ThreeXUI, XUI_CLIENT_VERSION, type XuiClient } from "../support/xui-client";

const baseUrl = inject("baseUrl");
const admin = inject("admin");

const TOKENS = "/panel/api/setting/apiTokens";
const STATUS = "/panel/api/server/status";
const XHR = { "x-requested-with": "XMLHttpRequest" };
const LOGIN_OK = { success: true, msg: "You have successfully logged into your account.", obj: null };
const BAD_LOGIN = "Invalid username or password or two-factor code.";
const TOKEN_INVALID = "API Token is invalid or expired. Please check your credentials.";
const SCOPE_DENIED = "this API token is not permitted to access this endpoint";

interface TokenView {
  id: number;
  name: string;
  scope: string;
  enabled: boolean;
  expiresAt: number;
  token?: string;
}

const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;

/** Every session-mode client this file opens, so afterAll can end each one. */
const sessionClients: XuiClient[] = [];

function sessionClient(password = admin.password): XuiClient {
  const client = new ThreeXUI(baseUrl, admin.username, password, { loginRetryBackoff: 0 });
  sessionClients.push(client);
  return client;
}

const tokenClient = (token: string): XuiClient => new ThreeXUI(baseUrl, { token });

/**
 * Ends a client's session for real, then lets the client forget it. Its own
 * logout() only sends GET /logout (405 here, 404 on 3x-ui) and swallows that,
 * so the POST is what ends the session; logout() deletes the stored session and
 * with it the one-hour timer that would keep the worker alive. A client without
 * a session is left alone: its logout() would first log in (`_request` always
 * authenticates), i.e. a wrong-password client would fail one more login.
 */
async function endSession(client: XuiClient): Promise<void> {
  if (!client.cookie) return;
  expect(await client._request("post", "/logout")).toMatchObject({ success: true });
  await client.logout();
}

/** An independent admin view of the panel, not through the package under test. */
let browser: BrowserSession;

async function listedTokens(): Promise<TokenView[]> {
  const res = await browser.send<TokenView[]>(TOKENS);
  expect(res.json?.success).toBe(true);
  return res.json!.obj!;
}

/** What a token-management call may change (not lastUsedAt, which every use of a token bumps). */
async function tokenStates(): Promise<string[]> {
  return (await listedTokens()).map((t) => `${t.id} ${t.name} ${t.scope} ${t.enabled ? "enabled" : "disabled"}`);
}

/** Tokens made here with `createToken`, deleted again in afterAll. */
const madeTokenIds: number[] = [];

async function createToken(scope: string): Promise<TokenView & { token: string }> {
  const res = await browser.send<TokenView & { token: string }>(`${TOKENS}/create`, { body: { name: unique(`npm-${scope}`), scope } });
  expect(res.json?.success, res.json?.msg).toBe(true);
  madeTokenIds.push(res.json!.obj!.id);
  return res.json!.obj!;
}

/** Our own low-level session on a client's cookie (`3x-ui=…`) and CSRF token. */
function sessionFor(cookie: string, csrf: string): BrowserSession {
  const session = new BrowserSession(baseUrl);
  session.cookie = cookie.slice("3x-ui=".length);
  session.csrf = csrf;
  return session;
}

/** HTTP status of `path` for this token as a bearer, as a 3x-ui bot sends it (XHR header). */
async function bearerStatus(token: string, path = STATUS): Promise<number> {
  return (await request(baseUrl, path, { headers: { ...bearer(token), ...XHR } })).status;
}

/** HTTP status of `path` for this session cookie (`3x-ui=…`). */
async function cookieStatus(cookie: string, path = STATUS): Promise<number> {
  return (await request(baseUrl, path, { headers: { cookie, ...XHR } })).status;
}

const at = (obj: Record<string, unknown>, path: string): unknown =>
  path.split(".").reduce<unknown>((o, key) => (o as Record<string, unknown> | undefined)?.[key], obj);

/**
 * py3xui's pydantic `Server` model: every field required, none nullable; these
 * must be integers (a fraction fails `int`), these numbers, these strings.
 */
const PY3XUI_INTS = [
  "cpuCores", "logicalPro", "mem.current", "mem.total", "swap.current", "swap.total", "disk.current", "disk.total",
  "uptime", "tcpCount", "udpCount", "netIO.up", "netIO.down", "netTraffic.sent", "netTraffic.recv",
  "appStats.threads", "appStats.mem", "appStats.uptime",
];
const PY3XUI_NUMBERS = ["cpu", "cpuSpeedMhz"];
const PY3XUI_STRINGS = ["publicIP.ipv4", "publicIP.ipv6"];

function expectPy3xuiStatus(status: Record<string, unknown>): void {
  for (const path of PY3XUI_INTS) {
    const v = at(status, path);
    expect(Number.isInteger(v) && (v as number) >= 0, `${path} = ${JSON.stringify(v)} (py3xui wants a non-negative int)`).toBe(true);
  }
  for (const path of PY3XUI_NUMBERS) {
    const v = at(status, path);
    expect(typeof v === "number" && Number.isFinite(v), `${path} = ${JSON.stringify(v)}`).toBe(true);
  }
  for (const path of PY3XUI_STRINGS) expect(typeof at(status, path), path).toBe("string");
  expect(status.xray).toEqual({ state: "stop", errorMsg: "", version: "" });
  expect(status.loads).toEqual([expect.any(Number), expect.any(Number), expect.any(Number)]);
  expect(status.cpu as number).toBeGreaterThanOrEqual(0);
  expect(status.cpu as number).toBeLessThanOrEqual(100);
  expect(at(status, "mem.total") as number).toBeGreaterThan(0);
  expect(at(status, "mem.current") as number).toBeLessThanOrEqual(at(status, "mem.total") as number);
  expect(at(status, "disk.total") as number).toBeGreaterThan(0);
}

beforeAll(async () => {
  expect(XUI_CLIENT_VERSION).toBe("3.2.1");
  browser = new BrowserSession(baseUrl);
  expect((await browser.login(admin.username, admin.password)).json?.success).toBe(true);
});

afterAll(async () => {
  for (const client of sessionClients) await endSession(client);
  // No session left in any client's store, so no one-hour timer keeps the worker alive.
  for (const client of sessionClients) expect(client.sessionManager.store.timers.size).toBe(0);
  for (const id of madeTokenIds) await browser.send(`${TOKENS}/delete/${id}`, { body: {} }); // some are gone already
  await browser.send("/logout", { body: {} });
});

describe(`session mode (3xui-api-client ${XUI_CLIENT_VERSION}, username + password)`, () => {
  let client: XuiClient;

  beforeAll(async () => {
    client = sessionClient();
    await client.login();
  });

  it("login() gets a CSRF token, is refused on /panel/api/login (401), logs in on /login and keeps its fresh 3x-ui cookie", async () => {
    const c = sessionClient();
    const traffic = recordTraffic(c);
    const res = await c.login();

    expect(res).toMatchObject({ success: true, fromCache: false, cookie: expect.stringMatching(/^3x-ui=[^;\s]+$/), data: LOGIN_OK });
    expect(summary(traffic)).toEqual(["GET /csrf-token 200", "POST /panel/api/login 401", "POST /login 200"]);
    const [csrf, , login] = traffic;
    const csrfToken = (csrf!.data as { obj: string }).obj;
    expect(csrf!.data).toEqual({ success: true, msg: "", obj: expect.any(String) });
    expect(csrfToken.length).toBeGreaterThan(0);
    // The client pairs the token with the first Set-Cookie of /csrf-token: that must be the session cookie.
    const anonymous = csrf!.setCookie[0]!.split(";")[0]!;
    expect(anonymous).toMatch(/^3x-ui=[^;\s]+$/);
    // It sent the login as a form with that token and cookie, and kept the token for later POSTs.
    expect(login!.requestHeaders["Content-Type"]).toBe("application/x-www-form-urlencoded");
    expect(login!.requestHeaders["X-CSRF-Token"]).toBe(csrfToken);
    expect(login!.requestHeaders.Cookie).toBe(anonymous);
    expect(c.csrfToken).toBe(csrfToken);
    // It keeps only the first Set-Cookie of the login answer: that must be the new session, a fresh id.
    expect(login!.setCookie[0]).toMatch(/^3x-ui=[^;]+;/);
    expect(res.cookie).toBe(login!.setCookie[0]!.split(";")[0]);
    expect(res.cookie).not.toBe(anonymous);

    // Real effects: the login cookie is a session, the pre-login one is not.
    expect(await cookieStatus(res.cookie!)).toBe(200);
    expect(await cookieStatus(anonymous)).toBe(401);
  });

  it("getServerStatus() answers 3x-ui's Status with every field py3xui requires (ints where it wants int), also to a GET with a JSON body", async () => {
    const traffic = recordTraffic(client);
    const res = await client.getServerStatus();

    expect(res.success).toBe(true);
    expect(res.msg).toBe("");
    expectPy3xuiStatus(res.obj);
    // axios sends this GET with `{}` as a JSON body; the server must not mind.
    expect(summary(traffic)).toEqual([`GET ${STATUS} 200`]);
    expect(traffic[0]!.requestBody).toBe("{}");
    expect(traffic[0]!.requestHeaders["Content-Type"]).toBe("application/json");
  });

  it("getTwoFactorEnable() answers {success:true, msg:'', obj:false} to the session's pre-login CSRF token", async () => {
    const traffic = recordTraffic(client);
    expect(await client.getTwoFactorEnable()).toEqual({ success: true, msg: "", obj: false });
    expect(summary(traffic)).toEqual(["POST /getTwoFactorEnable 200"]);
    expect(traffic[0]!.requestHeaders["X-CSRF-Token"]).toBe(client.csrfToken);
  });

  it("manages API tokens through _request: the plaintext comes back once, expectedScope guards setEnabled/delete, effects are real", async () => {
    const name = unique("npm-monitor");
    const created = await client._request<TokenView>("post", `${TOKENS}/create`, { name, scope: "monitor" });
    expect(created).toEqual({
      success: true,
      msg: "",
      obj: expect.objectContaining({ id: expect.any(Number), name, scope: "monitor", enabled: true, expiresAt: 0, token: expect.stringMatching(/^xui_/) }),
    });
    const { id, token } = created.obj as TokenView & { token: string };
    expect(await bearerStatus(token)).toBe(200);

    const list = await client._request<TokenView[]>("get", TOKENS);
    expect(list).toMatchObject({ success: true, msg: "" });
    expect(list.obj.find((t) => t.id === id)).toMatchObject({ name, scope: "monitor", enabled: true });
    expect(list.obj.every((t) => !("token" in t))).toBe(true);
    expect(JSON.stringify(list)).not.toContain(token);

    // A wrong expectedScope fails and changes nothing.
    const mismatch = { success: false, msg: "token not found with expected scope", obj: null };
    expect(await client._request("post", `${TOKENS}/setEnabled/${id}`, { enabled: false, expectedScope: "admin" })).toEqual(mismatch);
    expect((await listedTokens()).find((t) => t.id === id)?.enabled).toBe(true);
    expect(await bearerStatus(token)).toBe(200);

    // The right one disables it: the token is refused from its next request on.
    expect(await client._request("post", `${TOKENS}/setEnabled/${id}`, { enabled: false, expectedScope: "monitor" })).toEqual({
      success: true,
      msg: expect.any(String),
      obj: null,
    });
    expect((await listedTokens()).find((t) => t.id === id)?.enabled).toBe(false);
    expect(await bearerStatus(token)).toBe(401);

    expect(await client._request("post", `${TOKENS}/delete/${id}`, { expectedScope: "admin" })).toEqual(mismatch);
    expect((await listedTokens()).some((t) => t.id === id)).toBe(true);
    expect(await client._request("post", `${TOKENS}/delete/${id}`, { expectedScope: "monitor" })).toEqual({
      success: true,
      msg: expect.any(String),
      obj: null,
    });
    expect((await listedTokens()).some((t) => t.id === id)).toBe(false);
    expect((await client._request<TokenView[]>("get", TOKENS)).obj.some((t) => t.id === id)).toBe(false);
  });

  it.each([
    ["an empty name", { name: "" }, "token name is required"],
    ["an unknown scope", { name: unique("npm-bad-scope"), scope: "root" }, "scope must be 'admin', 'monitor', or 'node-sync'"],
  ])("create with %s resolves to 3x-ui's message with success:false, and creates nothing", async (_, body, msg) => {
    const before = await tokenStates();
    expect(await client._request("post", `${TOKENS}/create`, body)).toEqual({ success: false, msg, obj: null });
    expect(await tokenStates()).toEqual(before);
  });

  it("a session ended server-side is recovered by the client: 401 → new CSRF handshake + login → the call is retried", async () => {
    const c = sessionClient();
    await c.login();
    // The refused /panel/api/login probe made the client file this panel as "legacy" (as real 3x-ui):
    // its re-logins go straight to /login.
    expect(c.panelType).toBe("legacy");
    const oldCookie = c.cookie!;
    // End it behind the client's back (as an admin revoking sessions would).
    expect((await sessionFor(oldCookie, c.csrfToken!).send("/logout", { body: {} })).json?.success).toBe(true);

    const traffic = recordTraffic(c);
    expect((await c.getServerStatus()).success).toBe(true);
    expect(summary(traffic)).toEqual([
      `GET ${STATUS} 401`,
      "GET /csrf-token 200",
      "POST /login 200",
      `GET ${STATUS} 200`,
    ]);
    expect(c.cookie).not.toBe(oldCookie);
    expect(await cookieStatus(oldCookie)).toBe(401);
  });

  it("logout() alone only forgets the session locally: GET /logout is 405 and does not end the session, no timer is left", async () => {
    const c = sessionClient();
    await c.login();
    const { cookie, csrfToken } = c as { cookie: string; csrfToken: string };
    expect(c.sessionManager.store.timers.size).toBe(1); // the one-hour timer of the stored session

    const traffic = recordTraffic(c);
    await c.logout();
    // One GET, refused; no re-login: a 405 is not a "stale session" to the client.
    expect(summary(traffic)).toEqual(["GET /logout 405"]);
    expect(c.cookie).toBeNull();
    expect(c.sessionManager.store.timers.size).toBe(0);
    // A GET (no CSRF possible) must not end a session: it is still valid server-side.
    expect(await cookieStatus(cookie)).toBe(200);
    // Tidy up: end it the way 3x-ui's own UI does (POST + CSRF).
    expect((await sessionFor(cookie, csrfToken).send("/logout", { body: {} })).json?.success).toBe(true);
    expect(await cookieStatus(cookie)).toBe(401);
  });

  it("POST /logout through _request (cookie + CSRF) ends the session server-side; logout() then clears it without re-login", async () => {
    const c = sessionClient();
    await c.login();
    const { cookie, csrfToken } = c as { cookie: string; csrfToken: string };
    const traffic = recordTraffic(c);

    await endSession(c);
    expect(summary(traffic)).toEqual(["POST /logout 200", "GET /logout 405"]);
    expect(traffic[0]!.requestHeaders["X-CSRF-Token"]).toBe(csrfToken);
    expect(await cookieStatus(cookie)).toBe(401);
    expect(c.cookie).toBeNull();
    expect(c.sessionManager.store.timers.size).toBe(0);
  });
});

describe(`token mode (3xui-api-client ${XUI_CLIENT_VERSION}, { token })`, () => {
  let adminToken: string;

  beforeAll(async () => {
    adminToken = (await createToken("admin")).token;
  });

  it("login() sends nothing; getServerStatus() and getTwoFactorEnable() succeed with only the bearer (no cookie, no CSRF)", async () => {
    const c = tokenClient(adminToken);
    const traffic = recordTraffic(c);
    expect(await c.login()).toEqual({ success: true, message: "Authenticated successfully using API Token" });
    expect(traffic).toHaveLength(0);

    const status = await c.getServerStatus();
    expect(status.success).toBe(true);
    expectPy3xuiStatus(status.obj);
    // 3x-ui refuses this POST without CSRF (403); this panel accepts a valid bearer instead.
    expect(await c.getTwoFactorEnable()).toEqual({ success: true, msg: "", obj: false });

    expect(summary(traffic)).toEqual([`GET ${STATUS} 200`, "POST /getTwoFactorEnable 200"]);
    for (const exchange of traffic) {
      expect(exchange.requestHeaders.Authorization).toBe(`Bearer ${adminToken}`);
      expect(exchange.requestHeaders.Cookie).toBeUndefined();
      expect(exchange.requestHeaders["X-CSRF-Token"]).toBeUndefined();
    }
  });

  it("an admin token lists, creates, disables and deletes tokens through _request, with real effects", async () => {
    const c = tokenClient(adminToken);
    const name = unique("npm-by-token");
    const created = await c._request<TokenView & { token: string }>("post", `${TOKENS}/create`, { name, scope: "monitor" });
    expect(created).toMatchObject({ success: true, msg: "", obj: { name, scope: "monitor", enabled: true, token: expect.stringMatching(/^xui_/) } });
    const { id, token } = created.obj;
    expect(await bearerStatus(token)).toBe(200);

    const list = await c._request<TokenView[]>("get", TOKENS);
    expect(list.success).toBe(true);
    expect(list.obj.find((t) => t.id === id)).toMatchObject({ name, enabled: true });
    expect(JSON.stringify(list)).not.toContain(token);

    expect(await c._request("post", `${TOKENS}/setEnabled/${id}`, { enabled: false, expectedScope: "monitor" })).toMatchObject({ success: true, obj: null });
    expect(await bearerStatus(token)).toBe(401);
    expect(await c._request("post", `${TOKENS}/delete/${id}`, { expectedScope: "monitor" })).toMatchObject({ success: true, obj: null });
    expect((await listedTokens()).some((t) => t.id === id)).toBe(false);
  });

  it("a monitor token reads the status, but the token API is a 403 the client throws as an axios error", async () => {
    const monitor = await createToken("monitor");
    const c = tokenClient(monitor.token);
    expect((await c.getServerStatus()).success).toBe(true);

    const denied = { message: "Request failed with status code 403", status: 403, data: { success: false, msg: SCOPE_DENIED, obj: null } };
    expect(await rejection(c._request("get", TOKENS))).toMatchObject(denied);
    const before = await tokenStates();
    expect(await rejection(c._request("post", `${TOKENS}/create`, { name: unique("npm-escalate") }))).toMatchObject(denied);
    expect(await tokenStates()).toEqual(before);
  });

  it.each(["disabled", "deleted"])("a %s token makes the client throw 'API Token is invalid or expired…' (HTTP 401)", async (fate) => {
    const victim = await createToken("admin");
    const c = tokenClient(victim.token);
    expect((await c.getServerStatus()).success).toBe(true);

    const res =
      fate === "disabled"
        ? await browser.send(`${TOKENS}/setEnabled/${victim.id}`, { body: { enabled: false, expectedScope: "admin" } })
        : await browser.send(`${TOKENS}/delete/${victim.id}`, { body: { expectedScope: "admin" } });
    expect(res.json?.success).toBe(true);

    const before = await tokenStates();
    for (const call of [() => c.getServerStatus(), () => c._request("get", TOKENS), () => c._request("post", `${TOKENS}/create`, { name: unique("npm-dead") })]) {
      expect(await rejection(call())).toMatchObject({ message: TOKEN_INVALID, causeStatus: 401 });
    }
    expect(await tokenStates()).toEqual(before);
    // Outside /panel/api too, where the token stood in for the CSRF token: the same 401.
    expect(await rejection(c.getTwoFactorEnable())).toMatchObject({ message: TOKEN_INVALID, causeStatus: 401 });
  });
});

describe(`wrong password (3xui-api-client ${XUI_CLIENT_VERSION})`, () => {
  it("login() rejects with 'Login failed: Invalid username or password or two-factor code.' and keeps no session", async () => {
    // The package console.warn()s every failed login; keep the test output clean.
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const c = sessionClient(unique("not-the-password"));
      const traffic = recordTraffic(c);
      expect(await rejection(c.login())).toEqual({ message: `Login failed: ${BAD_LOGIN}` });
      // The refusal is a 2xx with success:false on /login, as in 3x-ui (never on /panel/api/login).
      expect(summary(traffic)).toEqual(["GET /csrf-token 200", "POST /panel/api/login 401", "POST /login 200"]);
      expect(traffic[2]!.data).toEqual({ success: false, msg: BAD_LOGIN, obj: null });
      expect(c.cookie).toBeNull();
      expect(c.sessionManager.store.timers.size).toBe(0);
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      warn.mockRestore();
    }
    // The failure did not lock the account out for the right password.
    const ok = sessionClient();
    expect(await ok.login()).toMatchObject({ success: true, data: LOGIN_OK });
  });
});
