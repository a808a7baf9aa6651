/**
 * Peer wire compatibility: the behaviour 3x-ui's own Go tests pin down, checked
 * over HTTP against the real production server. Every describe names the Go
 * test it mirrors; those tests live in MHSanaei/3x-ui at commit 02002dc
 * (internal/web/controller/api_auth_test.go, controller/setting_test.go,
 * middleware/security_test.go, session/session_test.go,
 * service/panel/api_token*_test.go, routes_contract_test.go).
 *
 * What it proves: bearer vs session auth and token scopes; expectedScope on
 * token mutations; CSRF (header or `_csrf` form field, tied to the browser);
 * the `3x-ui` session cookie across login and logout; login and the token API
 * in JSON, URL-encoded and multipart bodies with identical messages; the
 * public routes 3x-ui registers outside /panel/api; and that every JSON answer
 * is the three-key envelope. Each test checks the effect too (token list,
 * token use), not only the reply.
 *
 * Deliberate departures from 3x-ui (kept, and asserted as such): envelope
 * bodies on 401/403/404, 401 for any Bearer header, optional expectedScope,
 * plain token messages without "The parameters have been changed. (…\n)".
 */
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { bearer, BrowserSession, observeResponses, request, type ApiResponse, type RequestOptions } from "../support/client";
import type { TokenView } from "@/lib/tokens/schemas";

const baseUrl = inject("baseUrl");
const admin = inject("admin");

const TOKENS = "/panel/api/setting/apiTokens";
const XHR = { "x-requested-with": "XMLHttpRequest" };
/** Wrong-password attempts come from their own address, so they never throttle the admin on 127.0.0.1. */
const GUESSER = "127.0.0.61";

const MSG = {
  unauthorized: { success: false, msg: "unauthorized", obj: null },
  notFound: { success: false, msg: "not found", obj: null },
  csrf: { success: false, msg: "invalid or missing CSRF token", obj: null },
  scope: { success: false, msg: "this API token is not permitted to access this endpoint", obj: null },
  done: { success: true, msg: "", obj: null },
  loginOk: "You have successfully logged into your account.",
  loginWrong: "Invalid username or password or two-factor code.",
  unsupported: "request body must be JSON, application/x-www-form-urlencoded or multipart/form-data",
} as const;

/** A token view as the list and create answer it (the plaintext only from create). */
type View = TokenView & { token?: string };

let counter = 0;
const uniq = (p: string) => `pw-${p}-${Date.now()}-${++counter}`;

// ---- 8. every JSON answer of this file is the envelope {success, msg, obj} ----
let envelopesSeen = 0;
let stopObserving: () => void;
beforeAll(() => {
  stopObserving = observeResponses((res, path) => {
    if (path.startsWith("/healthz") || !/json/.test(res.headers.get("content-type") ?? "")) return;
    expect(Object.keys(res.json ?? {}).sort(), `${path} → ${res.text}`).toEqual(["msg", "obj", "success"]);
    envelopesSeen++;
  });
});
afterAll(() => {
  stopObserving();
  // The observer really ran (a broken hook would pass silently otherwise).
  expect(envelopesSeen).toBeGreaterThan(100);
});

// ---- bodies in the three encodings 3x-ui binds (gin ShouldBind) ----
type Encoding = "json" | "urlencoded" | "multipart";
const ENCODINGS: Encoding[] = ["json", "urlencoded", "multipart"];
type Fields = Record<string, string | number | boolean | string[]>;

/** `fields` as a body: JSON keeps the values' types; forms send strings, an array as a repeated field. */
function encode(kind: Encoding, fields: Fields, file?: string): RequestOptions {
  if (kind === "json") return { body: JSON.stringify(fields), headers: { "content-type": "application/json" } };
  const pairs = Object.entries(fields).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => [k, String(x)]));
  if (kind === "urlencoded") {
    return { body: new URLSearchParams(pairs).toString(), headers: { "content-type": "application/x-www-form-urlencoded" } };
  }
  const b = `----pw${counter}boundary`;
  const parts = pairs.map(([k, v]) => `--${b}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  if (file) parts.push(`--${b}\r\nContent-Disposition: form-data; name="${file}"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\nhello\r\n`);
  return { body: `${parts.join("")}--${b}--\r\n`, headers: { "content-type": `multipart/form-data; boundary=${b}` } };
}

/** Merges extra headers into an encoded body's options. */
const withHeaders = (opts: RequestOptions, headers: Record<string, string>): RequestOptions => ({
  ...opts,
  headers: { ...opts.headers, ...headers },
});

// ---- the admin's session and an admin token, shared by the tests ----
let adminBrowser: BrowserSession;
let adminToken: string;

beforeAll(async () => {
  adminBrowser = new BrowserSession(baseUrl);
  expect((await adminBrowser.login(admin.username, admin.password)).json?.msg).toBe(MSG.loginOk);
  adminToken = (await createToken({ name: uniq("admin") })).token!;
});

/** A bot call: bearer token, no cookie, no CSRF. */
function bot<T = unknown>(path: string, opts: RequestOptions = {}, token = adminToken): Promise<ApiResponse<T>> {
  return request<T>(baseUrl, path, withHeaders(opts, bearer(token)));
}

async function createToken(fields: Fields): Promise<View> {
  const res = await adminBrowser.send<View>(`${TOKENS}/create`, encode("json", fields));
  expect(res.json?.success, res.json?.msg).toBe(true);
  return res.json!.obj!;
}

async function listTokens(): Promise<View[]> {
  const res = await adminBrowser.send<View[]>(TOKENS);
  expect(res.status).toBe(200);
  return res.json!.obj!;
}

const findToken = async (id: number) => (await listTokens()).find((t) => t.id === id);

/** Whether the plaintext still authenticates (status is allowed for every scope). */
async function tokenWorks(token: string): Promise<boolean> {
  const res = await bot("/panel/api/server/status", {}, token);
  expect([200, 401]).toContain(res.status);
  return res.status === 200 && res.json?.success === true;
}

function expectFailure(res: ApiResponse, msg: string, status = 200) {
  expect(res.status, res.text).toBe(status);
  expect(res.json).toEqual({ success: false, msg, obj: null });
}

/** The `3x-ui` cookie a response sets: its value and attributes, or undefined. */
function sessionSetCookie(res: ApiResponse): { value: string; attrs: string[] } | undefined {
  const line = res.headers.getSetCookie().find((c) => c.startsWith("3x-ui="));
  if (!line) return undefined;
  const [pair, ...attrs] = line.split(";").map((s) => s.trim());
  return { value: pair!.slice("3x-ui=".length), attrs };
}

/** A browser that has fetched its CSRF token (and so holds a cookie) but has not logged in. */
async function freshBrowser(localAddress?: string): Promise<BrowserSession> {
  const b = new BrowserSession(baseUrl, localAddress);
  await b.refreshCsrf();
  return b;
}

/** Whether a cookie value is a signed-in session on /panel/api (XHR: 401 when not). */
async function cookieIsSession(cookie: string | undefined): Promise<boolean> {
  const res = await request(baseUrl, TOKENS, { headers: { ...XHR, cookie: `3x-ui=${cookie}` } });
  if (res.status === 401) expect(res.json).toEqual(MSG.unauthorized);
  else expect(res.status).toBe(200);
  return res.status === 200;
}

// =====================================================================================
// 1. controller/api_auth_test.go
// Red if: bearer tokens stopped authenticating, the XHR/plain split changed (401/404),
// sessions were not accepted on /panel/api, or a non-admin scope reached token routes.
// =====================================================================================
describe("api_auth_test.go TestCheckAPIAuth_BearerSuccess", () => {
  it("an admin bearer token reaches /panel/api without cookie or CSRF, GET and POST", async () => {
    const listed = await bot<View[]>(TOKENS);
    expect(listed.status).toBe(200);
    expect(listed.json?.success).toBe(true);
    expect(listed.json!.obj!.map((t) => t.token)).not.toContain(adminToken);
    const name = uniq("bot-made");
    const made = await bot<View>(`${TOKENS}/create`, encode("json", { name }));
    expect(made.json?.success, made.text).toBe(true);
    expect((await listTokens()).some((t) => t.name === name)).toBe(true);
  });
});

describe("api_auth_test.go TestCheckAPIAuth_RejectsUnauthenticated", () => {
  it("no credential: XHR → 401, plain request → 404, and nothing is created", async () => {
    const name = uniq("anon");
    expect(await request(baseUrl, TOKENS, { headers: XHR })).toMatchObject({ status: 401, json: MSG.unauthorized });
    expect(await request(baseUrl, TOKENS)).toMatchObject({ status: 404, json: MSG.notFound });
    const post = await request(baseUrl, `${TOKENS}/create`, { body: { name } });
    expect(post).toMatchObject({ status: 404, json: MSG.notFound });
    expect((await listTokens()).some((t) => t.name === name)).toBe(false);
  });

  it("departure: any Bearer header that does not match → 401 (3x-ui falls through to the session → 404)", async () => {
    const res = await request(baseUrl, TOKENS, { headers: bearer("xui_not-a-real-token") });
    expect(res).toMatchObject({ status: 401, json: MSG.unauthorized });
  });
});

describe("api_auth_test.go TestCheckAPIAuth_SessionLoginPasses", () => {
  it("a logged-in browser's cookie reaches /panel/api; the same browser before login does not", async () => {
    const b = await freshBrowser();
    expect(await cookieIsSession(b.cookie)).toBe(false);
    expect((await b.send("/login", encode("json", admin))).json?.success).toBe(true);
    expect(await cookieIsSession(b.cookie)).toBe(true);
  });
});

describe("api_auth_test.go TestCheckAPIAuth_AcceptsVerifiedClientCert / TestNodeSyncScopeUsesFullPathPatterns (scope enforcement)", () => {
  it.each(["monitor", "node-sync"])("a %s token → 403 on every token route, nothing changes; allowed on GET /panel/api/server/status", async (scope) => {
    const victim = await createToken({ name: uniq("victim") });
    const limited = await createToken({ name: uniq(scope), scope });
    const name = uniq("by-" + scope);
    expect(await bot(TOKENS, {}, limited.token)).toMatchObject({ status: 403, json: MSG.scope });
    expect(await bot(`${TOKENS}/create`, encode("json", { name }), limited.token)).toMatchObject({ status: 403, json: MSG.scope });
    expect(await bot(`${TOKENS}/setEnabled/${victim.id}`, encode("json", { enabled: false }), limited.token)).toMatchObject({
      status: 403,
      json: MSG.scope,
    });
    expect(await bot(`${TOKENS}/delete/${victim.id}`, encode("json", {}), limited.token)).toMatchObject({ status: 403, json: MSG.scope });

    const tokens = await listTokens();
    expect(tokens.some((t) => t.name === name)).toBe(false);
    expect(tokens.find((t) => t.id === victim.id)?.enabled).toBe(true);

    const status = await bot<Record<string, unknown>>("/panel/api/server/status", {}, limited.token);
    expect(status.status).toBe(200);
    expect(status.json?.success).toBe(true);
    expect(status.json?.obj).toMatchObject({ cpu: expect.any(Number), loads: expect.any(Array) });
  });
});

// =====================================================================================
// 2. controller/setting_test.go
// Red if: delete/setEnabled ignored expectedScope (the row would vanish or be disabled),
// or the mismatch message changed.
// =====================================================================================
describe("setting_test.go TestAPITokenMutationRoutesEnforceExpectedScope", () => {
  it.each(ENCODINGS)("%s: delete and setEnabled with expectedScope admin on a node-sync token fail; the row stays, enabled", async (kind) => {
    const node = await createToken({ name: uniq("node-1"), scope: "node-sync" });
    const body = encode(kind, { expectedScope: "admin", enabled: false });
    expectFailure(await bot(`${TOKENS}/delete/${node.id}`, body), "token not found with expected scope");
    expectFailure(await bot(`${TOKENS}/setEnabled/${node.id}`, body), "token not found with expected scope");
    expect(await findToken(node.id)).toMatchObject({ scope: "node-sync", enabled: true });
    expect(await tokenWorks(node.token!)).toBe(true);

    // The matching scope (in any case and spacing) does act: the check is not a blanket refusal.
    const right = encode(kind, { expectedScope: " Node-Sync ", enabled: false });
    expect((await bot(`${TOKENS}/setEnabled/${node.id}`, right)).json).toEqual(MSG.done);
    expect(await findToken(node.id)).toMatchObject({ enabled: false });
    expect(await tokenWorks(node.token!)).toBe(false);
    expect((await bot(`${TOKENS}/delete/${node.id}`, right)).json).toEqual(MSG.done);
    expect(await findToken(node.id)).toBeUndefined();
  });
});

// =====================================================================================
// 3. middleware/security_test.go
// Red if: safe methods demanded a token, an unsafe session request passed without one,
// the header or `_csrf` form field were not read, or a token were not tied to its browser.
// =====================================================================================
describe("security_test.go TestCSRFMiddlewareAllowsSafeMethods", () => {
  it("GET needs no CSRF token: /csrf-token itself, and a session GET on /panel/api", async () => {
    const res = await request<string>(baseUrl, "/csrf-token");
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ success: true, msg: "", obj: expect.stringMatching(/^[A-Za-z0-9_-]{20,}$/) });
    const listed = await adminBrowser.send(TOKENS, { headers: {} });
    expect(listed.status).toBe(200);
    expect(listed.json?.success).toBe(true);
  });
});

describe("security_test.go TestCSRFMiddlewareRejectsMissingTokenAndAcceptsValidToken", () => {
  const created = async (name: string) => (await listTokens()).some((t) => t.name === name);

  it("POST with the cookie and no token → 403, nothing created", async () => {
    const name = uniq("no-csrf");
    expect(await adminBrowser.send(`${TOKENS}/create`, { ...encode("json", { name }), csrf: false })).toMatchObject({
      status: 403,
      json: MSG.csrf,
    });
    expect(await created(name)).toBe(false);
  });

  it("POST with the X-CSRF-Token header → OK", async () => {
    const name = uniq("hdr-csrf");
    expect((await adminBrowser.send(`${TOKENS}/create`, encode("json", { name }))).json?.success).toBe(true);
    expect(await created(name)).toBe(true);
  });

  it.each(["urlencoded", "multipart"] as const)("POST with the `_csrf` %s form field (no header) → OK", async (kind) => {
    const name = uniq(`field-csrf-${kind}`);
    const res = await adminBrowser.send(`${TOKENS}/create`, { ...encode(kind, { name, _csrf: adminBrowser.csrf! }), csrf: false });
    expect(res.json?.success, res.text).toBe(true);
    expect(await created(name)).toBe(true);
  });

  it("a token of another browser → 403 (header and `_csrf` field alike), nothing changed", async () => {
    const other = await freshBrowser();
    expect(other.csrf).not.toBe(adminBrowser.csrf);
    const name = uniq("foreign-csrf");
    const before = await listTokens();
    const viaHeader = await adminBrowser.send(`${TOKENS}/create`, {
      ...encode("json", { name }),
      csrf: false,
      headers: { "x-csrf-token": other.csrf!, "content-type": "application/json" },
    });
    expect(viaHeader).toMatchObject({ status: 403, json: MSG.csrf });
    const viaField = await adminBrowser.send(`${TOKENS}/create`, { ...encode("urlencoded", { name, _csrf: other.csrf! }), csrf: false });
    expect(viaField).toMatchObject({ status: 403, json: MSG.csrf });
    const victim = before[0]!;
    const toggle = await adminBrowser.send(`${TOKENS}/setEnabled/${victim.id}`, {
      ...encode("urlencoded", { enabled: !victim.enabled, _csrf: other.csrf! }),
      csrf: false,
    });
    expect(toggle).toMatchObject({ status: 403, json: MSG.csrf });
    expect(await listTokens()).toEqual(before);
  });

  it("a bearer request needs no CSRF token, even with a browser cookie along", async () => {
    const name = uniq("bearer-no-csrf");
    const res = await bot(`${TOKENS}/create`, withHeaders(encode("json", { name }), { cookie: `3x-ui=${adminBrowser.cookie}` }));
    expect(res.json?.success, res.text).toBe(true);
    expect(await created(name)).toBe(true);
  });
});

// =====================================================================================
// 4. session/session_test.go + the login flow
// Red if: the cookie were renamed or lost HttpOnly/SameSite/Path, login rotated the CSRF
// token (py3xui and 3xui-api-client keep the pre-login one), login kept the pre-login
// cookie as the session (fixation), or logout left the session alive or skipped CSRF.
// =====================================================================================
describe("session_test.go TestSetLoginUserStoresOnlyUserID (the `3x-ui` session cookie)", () => {
  it("GET /csrf-token and POST /login set `3x-ui` with HttpOnly, SameSite=Lax, Path=/", async () => {
    const first = await request(baseUrl, "/csrf-token");
    const anon = sessionSetCookie(first);
    expect(anon?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const csrf = first.json!.obj as string;
    const login = await request(baseUrl, "/login", {
      ...encode("json", admin),
      headers: { "content-type": "application/json", cookie: `3x-ui=${anon!.value}`, "x-csrf-token": csrf },
    });
    expect(login.json).toEqual({ success: true, msg: MSG.loginOk, obj: null });
    const authed = sessionSetCookie(login);
    for (const set of [anon!, authed!]) {
      expect(set.attrs).toEqual(expect.arrayContaining(["HttpOnly", "SameSite=Lax", "Path=/"]));
    }
    // A browser that already has the cookie is not given a new one by /csrf-token.
    expect(sessionSetCookie(await request(baseUrl, "/csrf-token", { headers: { cookie: `3x-ui=${authed!.value}` } }))).toBeUndefined();
  });

  it("the CSRF token fetched before login still works after it (py3xui, 3xui-api-client)", async () => {
    const b = await freshBrowser();
    const before = b.csrf!;
    expect((await b.send("/login", encode("json", admin))).json?.success).toBe(true);
    expect((await b.send<string>("/csrf-token")).json?.obj).toBe(before);
    const name = uniq("pre-login-csrf");
    const res = await b.send(`${TOKENS}/create`, withHeaders(encode("json", { name }), { "x-csrf-token": before }));
    expect(res.json?.success, res.text).toBe(true);
    expect((await listTokens()).some((t) => t.name === name)).toBe(true);
  });

  it("login answers a new cookie value; the pre-login (planted) value alone is not a session → 401", async () => {
    const b = await freshBrowser();
    const planted = b.cookie!;
    const login = await b.send("/login", encode("json", admin));
    expect(login.json?.success).toBe(true);
    const issued = sessionSetCookie(login)!.value;
    expect(issued).not.toBe(planted);
    // `<csrfKey>.<sessionId>`: the key stays with the browser, the session id is new.
    expect(issued.startsWith(`${planted}.`)).toBe(true);
    expect(await cookieIsSession(planted)).toBe(false);
    expect(await cookieIsSession(issued)).toBe(true);
  });

  it("logging in again from a signed-in browser retires the previous session", async () => {
    const b = await freshBrowser();
    expect((await b.send("/login", encode("json", admin))).json?.success).toBe(true);
    const firstSession = b.cookie;
    expect((await b.send("/login", encode("json", admin))).json?.success).toBe(true);
    expect(b.cookie).not.toBe(firstSession);
    expect(await cookieIsSession(firstSession)).toBe(false);
    expect(await cookieIsSession(b.cookie)).toBe(true);
  });

  it("logout needs CSRF (403, session intact), then ends the session: the old cookie → 401", async () => {
    const b = await freshBrowser();
    expect((await b.send("/login", encode("json", admin))).json?.success).toBe(true);
    const session = b.cookie;
    expect(await b.send("/logout", { body: {}, csrf: false })).toMatchObject({ status: 403, json: MSG.csrf });
    expect(await cookieIsSession(session)).toBe(true);

    const out = await b.send("/logout", { body: {} });
    expect(out.status).toBe(200);
    expect(out.json).toEqual(MSG.done);
    const cleared = sessionSetCookie(out)!;
    expect(cleared.value).toBe("");
    expect(cleared.attrs).toEqual(expect.arrayContaining(["Max-Age=0", "Path=/", "HttpOnly"]));
    expect(await cookieIsSession(session)).toBe(false);
  });
});

// =====================================================================================
// 5. Login (controller/index.go login; no Go test covers it end to end)
// Red if: an encoding were not bound, a message changed wording, or the message depended
// on the encoding.
// =====================================================================================
describe("index.go login: POST /login in JSON, URL-encoded and multipart", () => {
  const login = async (kind: Encoding, fields: Fields, localAddress?: string) => {
    const b = await freshBrowser(localAddress);
    const res = await b.send("/login", encode(kind, fields));
    expect(res.status, res.text).toBe(200);
    return { b, res };
  };

  it.each(ENCODINGS)("%s: success → the 3x-ui text, and the new cookie is a session", async (kind) => {
    const { b, res } = await login(kind, admin);
    expect(res.json).toEqual({ success: true, msg: MSG.loginOk, obj: null });
    expect(sessionSetCookie(res)).toBeDefined();
    expect(await cookieIsSession(b.cookie)).toBe(true);
  });

  it.each(ENCODINGS)("%s: wrong password or unknown user → the same wrong-credentials text, no session", async (kind) => {
    const attempts: Fields[] = [
      { username: admin.username, password: "wrong-password" },
      { username: uniq("nobody"), password: admin.password },
      { username: admin.username, password: admin.password, twoFactorCode: "123456", extra: "x" }, // control: succeeds
    ];
    for (const fields of attempts) {
      const { b, res } = await login(kind, fields, GUESSER);
      if (fields.password === admin.password && fields.username === admin.username) {
        expect(res.json?.msg).toBe(MSG.loginOk);
        continue;
      }
      expect(res.json).toEqual({ success: false, msg: MSG.loginWrong, obj: null });
      expect(sessionSetCookie(res)).toBeUndefined();
      expect(await cookieIsSession(b.cookie)).toBe(false);
    }
  });

  it.each(ENCODINGS.flatMap((kind) => [
    [kind, { password: "x" }, "Username is required"],
    [kind, { username: "", password: "x" }, "Username is required"],
    [kind, { username: admin.username }, "Password is required"],
    [kind, { username: admin.username, password: "" }, "Password is required"],
    [kind, {}, "Username is required"],
  ] as const))("%s %j → %s", async (kind, fields, msg) => {
    const { b, res } = await login(kind, fields as Fields);
    expect(res.json).toEqual({ success: false, msg, obj: null });
    expect(await cookieIsSession(b.cookie)).toBe(false);
  });

  it("an empty body is no fields → Username is required", async () => {
    const b = await freshBrowser();
    const res = await b.send("/login", { body: "", headers: { "content-type": "application/json" }, method: "POST" });
    expect(res.json).toEqual({ success: false, msg: "Username is required", obj: null });
  });

  it.each([
    [{ username: 42, password: "x" }],
    [{ username: admin.username, password: 123456 }],
    [{ username: admin.username, password: admin.password, twoFactorCode: 123456 }],
  ])("JSON of the wrong type %j → The input data format is invalid.", async (fields) => {
    const { b, res } = await login("json", fields as Fields);
    expect(res.json).toEqual({ success: false, msg: "The input data format is invalid.", obj: null });
    expect(await cookieIsSession(b.cookie)).toBe(false);
  });

  it("login with the `_csrf` field instead of the header works; without either → 403", async () => {
    const b = await freshBrowser();
    expect(await b.send("/login", { ...encode("urlencoded", admin), csrf: false })).toMatchObject({ status: 403, json: MSG.csrf });
    expect(await cookieIsSession(b.cookie)).toBe(false);
    const res = await b.send("/login", { ...encode("multipart", { ...admin, _csrf: b.csrf! }), csrf: false });
    expect(res.json?.msg).toBe(MSG.loginOk);
    expect(await cookieIsSession(b.cookie)).toBe(true);
  });
});

// =====================================================================================
// 6. The token API in the three encodings (setting.go apiTokens*; api_token_scope_test.go)
// Red if: a form field were not typed like its JSON twin (scope normalisation, decimal
// expiresAt, repeated/comma allowedIps, "false"), a bad value's message depended on the
// encoding, an unsupported body were processed, or a file upload were accepted.
// =====================================================================================
describe("api_token_scope_test.go TestAPITokenScopeExpiryAndExpectedRevoke: create/setEnabled/delete in every encoding", () => {
  it.each(["urlencoded", "multipart"] as const)("%s create: name, ` Monitor `, expiresAt as a string, allowedIps repeated + comma-separated", async (kind) => {
    const name = uniq(`form-${kind}`);
    const expiresAt = Date.now() + 3_600_000;
    const res = await adminBrowser.send<View>(`${TOKENS}/create`, encode(kind, {
      name,
      scope: " Monitor ",
      expiresAt: String(expiresAt),
      allowedIps: ["127.0.0.1", "10.0.0.0/8,::1"],
    }));
    expect(res.json?.success, res.text).toBe(true);
    const want = { name, scope: "monitor", expiresAt, enabled: true, allowedIps: ["127.0.0.1/32", "10.0.0.0/8", "::1/128"] };
    expect(res.json!.obj).toMatchObject(want);
    expect(await findToken(res.json!.obj!.id)).toMatchObject(want);
    expect(await tokenWorks(res.json!.obj!.token!)).toBe(true);
  });

  it("JSON create with the same values gives the same view", async () => {
    const name = uniq("json");
    const expiresAt = Date.now() + 3_600_000;
    const made = await createToken({ name, scope: " Monitor ", expiresAt, allowedIps: ["127.0.0.1", "10.0.0.0/8", "::1"] });
    expect(await findToken(made.id)).toMatchObject({ name, scope: "monitor", expiresAt, allowedIps: ["127.0.0.1/32", "10.0.0.0/8", "::1/128"] });
  });

  it.each(["urlencoded", "multipart"] as const)("%s setEnabled enabled=false, then delete with expectedScope: list and token use follow", async (kind) => {
    const t = await createToken({ name: uniq(`toggle-${kind}`), scope: "monitor" });
    expect((await adminBrowser.send(`${TOKENS}/setEnabled/${t.id}`, encode(kind, { enabled: "false" }))).json).toEqual(MSG.done);
    expect(await findToken(t.id)).toMatchObject({ enabled: false });
    expect(await tokenWorks(t.token!)).toBe(false);
    expect((await adminBrowser.send(`${TOKENS}/setEnabled/${t.id}`, encode(kind, { enabled: "true", expectedScope: "monitor" }))).json).toEqual(
      MSG.done,
    );
    expect(await tokenWorks(t.token!)).toBe(true);

    expectFailure(await adminBrowser.send(`${TOKENS}/delete/${t.id}`, encode(kind, { expectedScope: "admin" })), "token not found with expected scope");
    expect(await findToken(t.id)).toBeDefined();
    expect((await adminBrowser.send(`${TOKENS}/delete/${t.id}`, encode(kind, { expectedScope: "MONITOR" }))).json).toEqual(MSG.done);
    expect(await findToken(t.id)).toBeUndefined();
    expect(await tokenWorks(t.token!)).toBe(false);
  });

  it.each(ENCODINGS)("%s: bad values give the JSON messages, and nothing is created or changed", async (kind) => {
    const target = await createToken({ name: uniq("target") });
    const before = await listTokens();
    const name = uniq("bad");
    const cases: [string, Fields, string][] = [
      [`${TOKENS}/setEnabled/${target.id}`, { enabled: "yes" }, "enabled must be true or false"],
      [`${TOKENS}/setEnabled/${target.id}`, {}, "enabled must be true or false"],
      [`${TOKENS}/create`, { name, expiresAt: "soon" }, "expiresAt must be 0 (never) or a future unix-ms timestamp"],
      [`${TOKENS}/create`, { name, expiresAt: "1000" }, "expiresAt must be 0 (never) or a future unix-ms timestamp"],
      [`${TOKENS}/create`, { name, scope: "root" }, "scope must be 'admin', 'monitor', or 'node-sync'"],
      [`${TOKENS}/create`, { name: "   " }, "token name is required"],
      [`${TOKENS}/create`, { scope: "admin" }, "token name is required"],
      [`${TOKENS}/create`, { name: target.name }, "a token with that name already exists"],
    ];
    for (const [path, fields, msg] of cases) {
      // JSON gets the typed equivalent of a form's "1000": a number.
      const typed = kind === "json" && fields.expiresAt === "1000" ? { ...fields, expiresAt: 1000 } : fields;
      expectFailure(await bot(path, encode(kind, typed)), msg);
    }
    expect(await listTokens()).toEqual(before);
  });

  it("ids are read like strconv.Atoi: `0<id>` and `+<id>` are the id; 0, -1, abc, 1.5 → invalid token id", async () => {
    const t = await createToken({ name: uniq("atoi") });
    const disable = (raw: string) => bot(`${TOKENS}/setEnabled/${raw}`, encode("urlencoded", { enabled: "false" }));
    for (const raw of ["0", "-1", "abc", "1.5", `${t.id}.0`, `0x${t.id.toString(16)}`]) expectFailure(await disable(raw), "invalid token id");
    expect(await findToken(t.id)).toMatchObject({ enabled: true });
    expect((await disable(`0${t.id}`)).json).toEqual(MSG.done);
    expect(await findToken(t.id)).toMatchObject({ enabled: false });
    expect((await bot(`${TOKENS}/delete/+${t.id}`, encode("json", {}))).json).toEqual(MSG.done);
    expect(await findToken(t.id)).toBeUndefined();
  });

  it("an empty body is no fields: delete without expectedScope deletes; create says the name is required", async () => {
    const t = await createToken({ name: uniq("empty-body") });
    expectFailure(await bot(`${TOKENS}/create`, { body: "", method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" } }), "token name is required");
    expect((await bot(`${TOKENS}/delete/${t.id}`, { body: "", method: "POST" })).json).toEqual(MSG.done);
    expect(await findToken(t.id)).toBeUndefined();
  });

  it.each(["text/plain", "application/xml"])("a %s body → 415, nothing created", async (type) => {
    const name = uniq("wrong-type");
    const body = type === "text/plain" ? `name=${name}` : `<token><name>${name}</name></token>`;
    const res = await adminBrowser.send(`${TOKENS}/create`, { body, headers: { "content-type": type } });
    expectFailure(res, MSG.unsupported, 415);
    expectFailure(await bot(`${TOKENS}/create`, { body, headers: { "content-type": type } }), MSG.unsupported, 415);
    expect((await listTokens()).some((t) => t.name === name)).toBe(false);
  });

  it("a 415 body does not change a token either", async () => {
    const t = await createToken({ name: uniq("stays") });
    expectFailure(await bot(`${TOKENS}/setEnabled/${t.id}`, { body: "enabled=false", headers: { "content-type": "text/plain" } }), MSG.unsupported, 415);
    expectFailure(await bot(`${TOKENS}/delete/${t.id}`, { body: "<x/>", headers: { "content-type": "application/xml" } }), MSG.unsupported, 415);
    expect(await findToken(t.id)).toMatchObject({ enabled: true });
  });

  it("a multipart file field → file uploads are not accepted, nothing created", async () => {
    const name = uniq("upload");
    expectFailure(await adminBrowser.send(`${TOKENS}/create`, encode("multipart", { name }, "file")), "file uploads are not accepted");
    expect((await listTokens()).some((t) => t.name === name)).toBe(false);
  });
});

// =====================================================================================
// 7. routes_contract_test.go TestRouteRegistryContract: the routes outside /panel/api
// Red if: a route went missing or answered other methods, the 405 lost its envelope or
// Allow header, /getTwoFactorEnable said anything but false, or its CSRF rule changed.
// =====================================================================================
describe("routes_contract_test.go TestRouteRegistryContract (POST /login, POST /logout, GET /csrf-token, POST /getTwoFactorEnable)", () => {
  // GET /login (and HEAD) is this panel's login page, so only the API methods are refused there.
  const others: [string, string, string[]][] = [
    ["/login", "POST", ["PUT", "PATCH", "DELETE"]],
    ["/logout", "POST", ["GET", "PUT", "PATCH", "DELETE"]],
    ["/getTwoFactorEnable", "POST", ["GET", "PUT", "PATCH", "DELETE"]],
    ["/csrf-token", "GET", ["POST", "PUT", "PATCH", "DELETE"]],
  ];
  it.each(others)("%s is %s only: other methods → 405 with the envelope and Allow; OPTIONS → 204 with Allow", async (path, method, refused) => {
    // One line per method, so a failure shows every deviation at once.
    const seen: Record<string, string> = {};
    const want: Record<string, string> = {};
    for (const m of [...refused, "OPTIONS"]) {
      const b = await freshBrowser();
      const res = await b.send(path, { method: m, body: "{}", headers: { "content-type": "application/json" } });
      const allows = res.headers.get("allow")?.split(/,\s*/).includes(method) ? `Allow has ${method}` : "no Allow";
      seen[m] = `${res.status} ${allows} ${res.json ? JSON.stringify(res.json) : JSON.stringify(res.text.slice(0, 40))}`;
      want[m] = m === "OPTIONS" ? `204 Allow has ${method} ""` : `405 Allow has ${method} {"success":false,"msg":"method not allowed","obj":null}`;
      // Refusing a method must not sign anyone in.
      if (path === "/login") expect(await cookieIsSession(b.cookie)).toBe(false);
    }
    expect(seen).toEqual(want);
  });

  it("the registered methods exist: GET /csrf-token, POST /login, POST /logout, POST /getTwoFactorEnable", async () => {
    const b = await freshBrowser();
    expect((await b.send("/login", encode("json", admin))).json?.msg).toBe(MSG.loginOk);
    expect((await b.send("/getTwoFactorEnable", { body: {} })).json).toEqual({ success: true, msg: "", obj: false });
    expect((await b.send("/logout", { body: {} })).json).toEqual(MSG.done);
  });

  it("POST /getTwoFactorEnable with CSRF → obj false; without → 403; another browser's token → 403", async () => {
    const b = await freshBrowser();
    expect(await b.send("/getTwoFactorEnable", { body: {} })).toMatchObject({ status: 200, json: { success: true, msg: "", obj: false } });
    expect(await b.send("/getTwoFactorEnable", { body: {}, csrf: false })).toMatchObject({ status: 403, json: MSG.csrf });
    expect(await request(baseUrl, "/getTwoFactorEnable", { body: {} })).toMatchObject({ status: 403, json: MSG.csrf });
    const other = await freshBrowser();
    const foreign = await b.send("/getTwoFactorEnable", { body: {}, csrf: false, headers: { "x-csrf-token": other.csrf! } });
    expect(foreign).toMatchObject({ status: 403, json: MSG.csrf });
  });

  it("POST /getTwoFactorEnable with a valid bearer token instead of CSRF → the same success", async () => {
    const monitor = await createToken({ name: uniq("tfa-monitor"), scope: "monitor" });
    for (const token of [adminToken, monitor.token!]) {
      expect(await bot("/getTwoFactorEnable", { body: {} }, token)).toMatchObject({ status: 200, json: { success: true, msg: "", obj: false } });
    }
    // A disabled token stands in for nothing: the same 401 as on /panel/api, so the script learns the token is the problem.
    await bot(`${TOKENS}/setEnabled/${monitor.id}`, encode("json", { enabled: false }));
    const refused = await bot("/getTwoFactorEnable", { body: {} }, monitor.token);
    expect(refused).toMatchObject({ status: 401, json: { success: false, msg: "unauthorized", obj: null } });
    expect(refused.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });
});
