import type { Client } from "@libsql/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, BrowserSession, request, type ApiResponse } from "../support/client";
import { openDirect } from "../support/direct-db";
import { startPanelServer, type PanelServer } from "../support/server";
import { SoftAuthenticator } from "../support/soft-authenticator";

/**
 * Passkeys end to end against the real server, with a software authenticator
 * standing in for the browser's. The server is our own: a fixed RP ID and
 * origins, and a small per-IP login budget to count passkey failures against.
 */
const RP_ID = "panel.example.test";
const ORIGIN = "https://panel.example.test";
const ALT_ORIGIN = "https://alt.panel.example.test:8443";
const ADMIN = { username: "admin", password: "passkey-suite-password-1" };
const IP_BUDGET = 6;

let server: PanelServer;
let db: Client;
let base: string;

beforeAll(async () => {
  server = await startPanelServer({
    env: {
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      PANEL_ORIGIN: `${ORIGIN}, ${ALT_ORIGIN}`,
      PANEL_RP_ID: RP_ID,
      LOGIN_MAX_FAILURES: "100",
      LOGIN_MAX_FAILURES_PER_IP: String(IP_BUDGET),
    },
  });
  base = server.baseUrl;
  db = openDirect(server.databaseUrl);
});

afterAll(async () => {
  db?.close();
  await server?.stop();
});

/** Each test its own loopback address: the login budget is per IP. */
let nextHost = 10;
async function signedIn(host = `127.0.0.${nextHost++}`): Promise<BrowserSession> {
  const s = new BrowserSession(base, host);
  const res = await s.login(ADMIN.username, ADMIN.password);
  expect(res.json?.success).toBe(true);
  return s;
}

interface Options {
  challenge: string;
  rp?: { id?: string };
  user?: { id: string };
  excludeCredentials?: { id: string }[];
  allowCredentials?: { id: string }[];
  authenticatorSelection?: Record<string, unknown>;
  userVerification?: string;
}
interface View {
  id: number;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
}

async function registerOptions(s: BrowserSession, body: object = {}): Promise<Options> {
  const res = await s.send<Options>("/panel/api/setting/passkeys/registerOptions", { body });
  expect(res.status, res.text).toBe(200);
  return res.json!.obj!;
}

/** A passkey registered through the API: the authenticator and its view. */
async function addPasskey(s: BrowserSession, name = `key ${nextHost}`): Promise<{ auth: SoftAuthenticator; view: View }> {
  const auth = new SoftAuthenticator(RP_ID, ORIGIN);
  const options = await registerOptions(s);
  const res = await s.send<View>("/panel/api/setting/passkeys/register", { body: { name, response: auth.register(options) } });
  expect(res.status, res.text).toBe(200);
  return { auth, view: res.json!.obj! };
}

async function count(sql: string, args: (string | number)[] = []): Promise<number> {
  const rs = await db.execute({ sql, args });
  return Number(rs.rows[0]![0]);
}

/** What a refused ceremony must leave as it was. */
async function state() {
  const rs = await db.batch(
    [
      "SELECT id, name, sign_count, last_used_at FROM passkeys ORDER BY id",
      "SELECT id_hash FROM sessions ORDER BY id_hash",
      "SELECT count(*) FROM audit_events WHERE action LIKE 'passkey.%' OR action = 'login.success'",
    ],
    "read",
  );
  return rs.map((r) => r.rows.map((row) => r.columns.map((c) => row[c])));
}

async function loginOptions(s: BrowserSession): Promise<Options> {
  const res = await s.send<Options>("/login/passkey/options", { body: {} });
  expect(res.status, res.text).toBe(200);
  return res.json!.obj!;
}

/** A signed-out browser that has its cookie and CSRF token, as the login page does. */
async function signedOut(host = `127.0.0.${nextHost++}`): Promise<BrowserSession> {
  const s = new BrowserSession(base, host);
  await s.refreshCsrf();
  return s;
}

function expectRefused(res: ApiResponse, msg: RegExp | string) {
  expect(res.status, res.text).toBe(400);
  expect(res.json?.success).toBe(false);
  if (typeof msg === "string") expect(res.json?.msg).toBe(msg);
  else expect(res.json?.msg).toMatch(msg);
}

const NOT_ACCEPTED = "this passkey was not accepted here: try another one, or sign in with your password";
const NOT_VERIFIED = "the passkey could not be verified: try again";
const CHALLENGE = "this passkey request has expired or was already used: start again";

describe("registering a passkey", () => {
  it("offers creation options that require user verification and a discoverable credential, excluding the admin's passkeys", async () => {
    const s = await signedIn();
    const first = await registerOptions(s);
    expect(first.rp?.id).toBe(RP_ID);
    expect(first.authenticatorSelection).toMatchObject({ residentKey: "required", userVerification: "required" });
    expect(first.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const { auth } = await addPasskey(s);
    const next = await registerOptions(s);
    expect(next.excludeCredentials?.map((c) => c.id)).toContain(auth.credentialId);
    expect(next.user?.id).toBe(first.user?.id);
  });

  it("stores the passkey, lists it without its public key or credential id, and audits passkey.added", async () => {
    const s = await signedIn();
    const before = await count("SELECT count(*) FROM audit_events WHERE action = 'passkey.added'");
    const { auth, view } = await addPasskey(s, "Laptop");
    expect(view).toMatchObject({ name: "Laptop", lastUsedAt: null });
    const list = await s.send<View[]>("/panel/api/setting/passkeys");
    expect(list.json?.obj?.find((p) => p.id === view.id)).toEqual(view);
    const row = (await db.execute({ sql: "SELECT credential_id, public_key FROM passkeys WHERE id = ?", args: [view.id] })).rows[0]!;
    expect(row.credential_id).toBe(auth.credentialId);
    expect(list.text).not.toContain(String(row.public_key));
    expect(list.text).not.toContain(auth.credentialId);
    expect(Object.keys(view).sort()).toEqual(["backedUp", "createdAt", "deviceType", "id", "lastUsedAt", "name", "transports"]);
    expect(await count("SELECT count(*) FROM audit_events WHERE action = 'passkey.added'")).toBe(before + 1);
  });

  it("accepts a ceremony from any configured origin", async () => {
    const s = await signedIn();
    const auth = new SoftAuthenticator(RP_ID, ALT_ORIGIN);
    const res = await s.send("/panel/api/setting/passkeys/register", { body: { name: "alt", response: auth.register(await registerOptions(s)) } });
    expect(res.status, res.text).toBe(200);
  });

  it.each([
    ["a wrong origin", { origin: "https://evil.example" }, NOT_VERIFIED],
    ["a wrong RP ID", { rpId: "evil.example" }, NOT_VERIFIED],
    ["no user verification", { userVerified: false }, NOT_VERIFIED],
    ["a challenge the server never gave", { challenge: "A".repeat(43) }, CHALLENGE],
  ] as const)("refuses %s, adding nothing", async (_, tweaks, msg) => {
    const s = await signedIn();
    const options = await registerOptions(s);
    const before = await state();
    const res = await s.send("/panel/api/setting/passkeys/register", {
      body: { name: "bad", response: new SoftAuthenticator(RP_ID, ORIGIN).register(options, tweaks) },
    });
    expectRefused(res, msg);
    expect(await state()).toEqual(before);
  });

  it("uses a challenge once: a replayed response and a second try both fail", async () => {
    const s = await signedIn();
    const options = await registerOptions(s);
    const auth = new SoftAuthenticator(RP_ID, ORIGIN);
    const response = auth.register(options);
    expect((await s.send("/panel/api/setting/passkeys/register", { body: { name: "once", response } })).status).toBe(200);
    const before = await state();
    const again = await s.send("/panel/api/setting/passkeys/register", { body: { name: "twice", response: new SoftAuthenticator(RP_ID, ORIGIN).register(options) } });
    expectRefused(again, CHALLENGE);
    expect(await state()).toEqual(before);
  });

  it("refuses an expired challenge, and one given to another browser", async () => {
    const s = await signedIn();
    const other = await signedIn();
    const options = await registerOptions(s);
    const before = await state();
    const stolen = await other.send("/panel/api/setting/passkeys/register", {
      body: { name: "x", response: new SoftAuthenticator(RP_ID, ORIGIN).register(options) },
    });
    expectRefused(stolen, CHALLENGE);
    await db.execute({ sql: "UPDATE webauthn_challenges SET expires_at = ? WHERE challenge = ?", args: [Date.now() - 1, options.challenge] });
    const late = await s.send("/panel/api/setting/passkeys/register", { body: { name: "x", response: new SoftAuthenticator(RP_ID, ORIGIN).register(options) } });
    expectRefused(late, CHALLENGE);
    expect(await state()).toEqual(before);
  });

  it("refuses the same passkey twice", async () => {
    const s = await signedIn();
    const { auth } = await addPasskey(s);
    const before = await state();
    const res = await s.send("/panel/api/setting/passkeys/register", { body: { name: "dup", response: auth.register(await registerOptions(s)) } });
    expectRefused(res, "this passkey is already registered");
    expect(await state()).toEqual(before);
  });

  it.each([
    ["no name", { response: {} }, "passkey name is required"],
    ["a blank name", { name: "  ", response: {} }, "passkey name is required"],
    ["a name of 65 characters", { name: "x".repeat(65), response: {} }, "passkey name must be 64 characters or fewer"],
    ["a number for a name", { name: 5, response: {} }, "passkey name must be a string"],
    ["a name with a bidi override", { name: "a\u202eb", response: {} }, "passkey name must not contain control or invisible formatting characters"],
    ["no response", { name: "n" }, /^response must be the passkey response/],
    ["a response that is not a credential", { name: "n", response: { id: "x", type: "password" } }, /^response must be the passkey response/],
    ["a response with clientDataJSON that is not JSON", { name: "n", response: "garbage" }, /^response must be the passkey response/],
  ] as const)("answers 400 for %s, changing nothing", async (_, body, msg) => {
    const s = await signedIn();
    await registerOptions(s);
    const before = await state();
    expectRefused(await s.send("/panel/api/setting/passkeys/register", { body }), msg);
    expect(await state()).toEqual(before);
  });

  it("is for signed-in browsers: an admin token can list passkeys but not start a ceremony", async () => {
    const s = await signedIn();
    const minted = await s.send<{ token: string }>("/panel/api/setting/apiTokens/create", { body: { name: `pk-${Date.now()}`, scope: "admin" } });
    const token = minted.json!.obj!.token;
    expect((await request(base, "/panel/api/setting/passkeys", { headers: bearer(token) })).status).toBe(200);
    const res = await request(base, "/panel/api/setting/passkeys/registerOptions", { body: {}, headers: bearer(token) });
    expect(res.status).toBe(403);
    expect(res.json?.msg).toMatch(/signed-in browser/);
  });

  it("needs the CSRF token on every writing passkey route", async () => {
    const s = await signedIn();
    for (const path of ["/panel/api/setting/passkeys/registerOptions", "/panel/api/setting/passkeys/reauthOptions", "/panel/api/setting/passkeys/update/1", "/panel/api/setting/passkeys/delete/1", "/login/passkey/options", "/login/passkey"]) {
      const res = await s.send(path, { body: {}, csrf: false });
      expect(res.status, path).toBe(403);
    }
  });
});

describe("renaming and removing", () => {
  it("renames a passkey (audited passkey.renamed) and refuses bad names and unknown ids with 400", async () => {
    const s = await signedIn();
    const { view } = await addPasskey(s, "old name");
    const res = await s.send<View>(`/panel/api/setting/passkeys/update/${view.id}`, { body: { name: "  Phone  " } });
    expect(res.json?.obj).toMatchObject({ id: view.id, name: "Phone" });
    const audit = await db.execute({ sql: "SELECT target_name, detail FROM audit_events WHERE action = 'passkey.renamed' ORDER BY id DESC LIMIT 1" });
    expect(audit.rows[0]).toMatchObject({ target_name: "Phone", detail: JSON.stringify({ from: "old name" }) });
    const before = await state();
    expectRefused(await s.send(`/panel/api/setting/passkeys/update/${view.id}`, { body: { name: "" } }), "passkey name is required");
    expectRefused(await s.send(`/panel/api/setting/passkeys/update/999999`, { body: { name: "n" } }), "passkey not found");
    expectRefused(await s.send(`/panel/api/setting/passkeys/update/abc`, { body: { name: "n" } }), "invalid passkey id");
    expectRefused(await s.send(`/panel/api/setting/passkeys/delete/0`, { body: {} }), "invalid passkey id");
    expect(await state()).toEqual(before);
  });

  it("removes a passkey: audited, the admin's other sessions end, this one stays, and the passkey no longer signs in", async () => {
    const s = await signedIn();
    const other = await signedIn();
    const { auth, view } = await addPasskey(s);
    const res = await s.send(`/panel/api/setting/passkeys/delete/${view.id}`, { body: {} });
    expect(res.json, res.text).toMatchObject({ success: true });
    expect(await count("SELECT count(*) FROM passkeys WHERE id = ?", [view.id])).toBe(0);
    expect(await count("SELECT count(*) FROM audit_events WHERE action = 'passkey.removed' AND target_id = ?", [view.id])).toBe(1);
    expect((await s.send("/panel/api/setting/passkeys")).status).toBe(200);
    expect((await other.send("/panel/api/setting/passkeys", { headers: { "x-requested-with": "XMLHttpRequest" } })).status).toBe(401);
    const browser = await signedOut();
    const login = await browser.send("/login/passkey", { body: { response: auth.assert(await loginOptions(browser)) } });
    expectRefused(login, NOT_ACCEPTED);
  });
});

describe("signing in with a passkey", () => {
  it("offers discoverable assertion options: no allowCredentials, user verification required", async () => {
    const options = await loginOptions(await signedOut());
    expect(options.allowCredentials ?? []).toEqual([]);
    expect(options.userVerification).toBe("required");
  });

  it("signs in without a password: a new session replaces the browser's old one, audited passkey.used and login.success", async () => {
    const { auth, view } = await addPasskey(await signedIn());
    const browser = await signedIn();
    const oldCookie = browser.cookie!;
    // The old session is in the server's memory: replacing it must clear it there too.
    expect((await browser.send("/panel/api/setting/passkeys")).status).toBe(200);
    const res = await browser.send("/login/passkey", { body: { response: auth.assert(await loginOptions(browser)) } });
    expect(res.json, res.text).toEqual({ success: true, msg: "You have successfully logged into your account.", obj: null });
    expect(browser.cookie).not.toBe(oldCookie);
    expect(browser.cookie!.split(".")[0]).toBe(oldCookie.split(".")[0]);
    await browser.refreshCsrf();
    expect((await browser.send("/panel/api/setting/passkeys")).status).toBe(200);
    const replaced = new BrowserSession(base);
    replaced.cookie = oldCookie;
    expect((await replaced.send("/panel/api/setting/passkeys", { headers: { "x-requested-with": "XMLHttpRequest" } })).status).toBe(401);
    const used = await db.execute({ sql: "SELECT detail FROM audit_events WHERE action = 'passkey.used' AND target_id = ?", args: [view.id] });
    expect(used.rows.map((r) => r.detail)).toEqual([JSON.stringify({ purpose: "login" })]);
    const success = await db.execute("SELECT detail FROM audit_events WHERE action = 'login.success' ORDER BY id DESC LIMIT 1");
    expect(success.rows[0]!.detail).toBe(JSON.stringify({ method: "passkey" }));
    const list = await browser.send<View[]>("/panel/api/setting/passkeys");
    expect(list.json!.obj!.find((p) => p.id === view.id)!.lastUsedAt).toBeGreaterThan(0);
  });

  it("uses the passkey as a second factor with username and password", async () => {
    const { auth } = await addPasskey(await signedIn());
    const browser = await signedOut();
    const res = await browser.send("/login/passkey", { body: { ...ADMIN, response: auth.assert(await loginOptions(browser)) } });
    expect(res.json?.success, res.text).toBe(true);
    const success = await db.execute("SELECT detail FROM audit_events WHERE action = 'login.success' ORDER BY id DESC LIMIT 1");
    expect(success.rows[0]!.detail).toBe(JSON.stringify({ method: "password+passkey" }));
    const wrong = await signedOut();
    const before = await state();
    const refused = await wrong.send("/login/passkey", { body: { ...ADMIN, password: "not-it", response: auth.assert(await loginOptions(wrong)) } });
    expectRefused(refused, "Invalid username or password or two-factor code.");
    expect(await state()).toEqual(before);
    // The right password with a challenge this browser was never given: the same words, or they would
    // tell that the password was right.
    const unasked = await signedOut();
    const forged = await unasked.send("/login/passkey", { body: { ...ADMIN, response: auth.assert({ challenge: "A".repeat(43) }) } });
    expectRefused(forged, "Invalid username or password or two-factor code.");
    expect(await state()).toEqual(before);
  });

  it.each([
    ["a wrong origin", { origin: "https://evil.example" }],
    ["a wrong RP ID", { rpId: "evil.example" }],
    ["no user verification", { userVerified: false }],
    ["a counter that went back", { counter: 0 }],
    ["an unknown credential", { credentialId: "Z".repeat(43) }],
  ] as const)("refuses %s: no session, nothing changed", async (_, tweaks) => {
    const { auth } = await addPasskey(await signedIn());
    // One good sign-in first, so the counter is above zero.
    const first = await signedOut();
    expect((await first.send("/login/passkey", { body: { response: auth.assert(await loginOptions(first)) } })).json?.success).toBe(true);
    const browser = await signedOut();
    const options = await loginOptions(browser);
    const before = await state();
    const res = await browser.send("/login/passkey", { body: { response: auth.assert(options, tweaks) } });
    expectRefused(res, NOT_ACCEPTED);
    expect(await state()).toEqual(before);
    expect(res.headers.getSetCookie().some((c) => c.startsWith("3x-ui="))).toBe(false);
  });

  it("takes a challenge once: a replayed assertion, an expired one and another browser's are refused", async () => {
    const { auth } = await addPasskey(await signedIn());
    const browser = await signedOut();
    const response = auth.assert(await loginOptions(browser));
    expect((await browser.send("/login/passkey", { body: { response } })).json?.success).toBe(true);
    const before = await state();
    const replay = await signedOut();
    await loginOptions(replay);
    expectRefused(await browser.send("/login/passkey", { body: { response } }), CHALLENGE);
    expectRefused(await replay.send("/login/passkey", { body: { response } }), CHALLENGE);
    const thief = await signedOut();
    const victim = await signedOut();
    expectRefused(await thief.send("/login/passkey", { body: { response: auth.assert(await loginOptions(victim)) } }), CHALLENGE);
    const late = await signedOut();
    const options = await loginOptions(late);
    await db.execute({ sql: "UPDATE webauthn_challenges SET expires_at = ? WHERE challenge = ?", args: [Date.now() - 1, options.challenge] });
    expectRefused(await late.send("/login/passkey", { body: { response: auth.assert(options) } }), CHALLENGE);
    expect(await state()).toEqual(before);
  });

  it("answers 400 for bad input, changing nothing", async () => {
    const browser = await signedOut();
    await loginOptions(browser);
    const before = await state();
    expectRefused(await browser.send("/login/passkey", { body: {} }), /^response must be the passkey response/);
    expectRefused(await browser.send("/login/passkey", { body: { response: { id: 1 } } }), /^response must be the passkey response/);
    const auth = new SoftAuthenticator(RP_ID, ORIGIN);
    expectRefused(
      await browser.send("/login/passkey", { body: { username: "admin", response: auth.assert({ challenge: "x" }) } }),
      /^give both username and password/,
    );
    expect(await state()).toEqual(before);
  });

  it("counts failures against the IP's login budget shared with /login, then answers 429 even for a good passkey", async () => {
    const { auth } = await addPasskey(await signedIn());
    const host = `127.0.0.${nextHost++}`;
    const browser = await signedOut(host);
    for (let i = 0; i < IP_BUDGET / 2; i++) {
      const wrong = await browser.send("/login", { body: { username: ADMIN.username, password: "wrong" } });
      expect(wrong.json?.success).toBe(false);
    }
    for (let i = 0; i < IP_BUDGET / 2; i++) {
      const res = await browser.send("/login/passkey", { body: { response: auth.assert(await loginOptions(browser), { userVerified: false }) } });
      expectRefused(res, NOT_ACCEPTED);
    }
    const good = await browser.send("/login/passkey", { body: { response: auth.assert(await loginOptions(browser)) } });
    expect(good.status).toBe(429);
    expect(good.headers.get("retry-after")).toMatch(/^\d+$/);
    // Another address is not affected.
    const elsewhere = await signedOut();
    expect((await elsewhere.send("/login/passkey", { body: { response: auth.assert(await loginOptions(elsewhere)) } })).json?.success).toBe(true);
  });
});

describe("re-authentication options", () => {
  it("lists the signed-in admin's passkeys as allowCredentials, with user verification required", async () => {
    const s = await signedIn();
    const { auth } = await addPasskey(s);
    const res = await s.send<Options>("/panel/api/setting/passkeys/reauthOptions", { body: {} });
    expect(res.json?.obj?.allowCredentials?.map((c) => c.id)).toContain(auth.credentialId);
    expect(res.json?.obj?.userVerification).toBe("required");
  });
});

describe("what the server keeps", () => {
  it("never receives private key material, and keeps no expired challenge past the next ceremony", async () => {
    const s = await signedIn();
    const { auth } = await addPasskey(s);
    const browser = await signedOut();
    expect((await browser.send("/login/passkey", { body: { response: auth.assert(await loginOptions(browser)) } })).json?.success).toBe(true);
    const tables = ["passkeys", "webauthn_challenges", "audit_events", "sessions", "rate_limits"];
    const dump = JSON.stringify(await Promise.all(tables.map((t) => db.execute(`SELECT * FROM ${t}`).then((r) => r.rows))));
    for (const form of auth.privateKeyForms()) {
      expect(dump).not.toContain(form);
      expect(server.output()).not.toContain(form);
    }
    await db.execute({ sql: "UPDATE webauthn_challenges SET expires_at = ?", args: [Date.now() - 1] });
    await loginOptions(await signedOut());
    expect(await count("SELECT count(*) FROM webauthn_challenges WHERE expires_at <= ?", [Date.now()])).toBe(0);
  });
});
