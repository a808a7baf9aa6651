import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPanel } from "../support/cli";
import { BrowserSession, request } from "../support/client";
import { openDirect } from "../support/direct-db";
import { startPanelServer, testBackend, type PanelServer } from "../support/server";
import { awayFromStepEdge, loginWithCode, totpAt } from "../support/totp";
import { ThreeXUI, type XuiClient } from "../support/xui-client";

/**
 * TOTP two-factor sign-in on a real production server of its own: setup,
 * enable, login with codes (±1 step, each code once), recovery codes (once
 * each, regenerable), disable (ends the other sessions), the CLI's way back
 * in, and 3x-ui's login field as 3xui-api-client sends it.
 */
const A = { username: "admin", password: "two-factor-suite-pw-1" };
const B = { username: "second", password: "two-factor-suite-pw-2" };
const WRONG = "Invalid username or password or two-factor code.";
const TF = "/panel/api/setting/twoFactor";
const XHR = { "x-requested-with": "XMLHttpRequest" };

let server: PanelServer;
const panel = (...args: string[]) => runPanel(args, server.databaseUrl);

interface Status {
  enabled: boolean;
  enabledAt: number | null;
  pending: boolean;
  recoveryCodesLeft: number;
}
interface Setup {
  secret: string;
  otpauthUri: string;
  qrSvg: string;
}

async function signedIn(who: { username: string; password: string }, code?: string, localAddress?: string) {
  const s = new BrowserSession(server.baseUrl, localAddress);
  const res = await loginWithCode(s, who.username, who.password, code);
  expect(res.json?.success, res.text).toBe(true);
  return s;
}
const status = async (s: BrowserSession) => (await s.send<Status>(TF)).json!.obj!;
const getTwoFactorEnable = async () => {
  const s = new BrowserSession(server.baseUrl);
  await s.refreshCsrf();
  return (await s.send<boolean>("/getTwoFactorEnable", { body: {} })).json?.obj;
};
/** Rows of the two 2FA tables as the server committed them. */
async function rows(): Promise<string> {
  const db = openDirect(server.databaseUrl);
  try {
    const a = await db.execute("SELECT * FROM two_factor ORDER BY user_id");
    const b = await db.execute("SELECT * FROM recovery_codes ORDER BY id");
    return JSON.stringify([a.rows, b.rows]);
  } finally {
    db.close();
  }
}
async function auditActions(): Promise<{ action: string; actor_type: string; actor_name: string; target_name: string }[]> {
  const db = openDirect(server.databaseUrl);
  try {
    const rs = await db.execute("SELECT action, actor_type, actor_name, target_name FROM audit_events WHERE action LIKE 'twofactor.%' ORDER BY id");
    return rs.rows as never;
  } finally {
    db.close();
  }
}

/** Sets 2FA up and confirms it with the code of `offsetMs` from now; returns the secret and recovery codes. */
async function enrol(s: BrowserSession, offsetMs = 0): Promise<{ secret: string; codes: string[] }> {
  const setup = await s.send<Setup>(`${TF}/setup`, { body: {} });
  expect(setup.json?.success, setup.text).toBe(true);
  const secret = setup.json!.obj!.secret;
  const enabled = await s.send<{ recoveryCodes: string[] }>(`${TF}/enable`, { body: { code: totpAt(secret, Date.now() + offsetMs) } });
  expect(enabled.json?.success, enabled.text).toBe(true);
  return { secret, codes: enabled.json!.obj!.recoveryCodes };
}

beforeAll(async () => {
  server = await startPanelServer({ env: { ADMIN_USERNAME: A.username, ADMIN_PASSWORD: A.password, LOGIN_MAX_FAILURES_PER_IP: "1000" } });
  const created = await panel("admin", "reset", "--username", B.username, "--password", B.password);
  expect(created.code, created.stderr).toBe(0);
});
afterAll(async () => {
  await server?.stop();
});

describe("two-factor sign-in (TOTP)", () => {
  let a: BrowserSession;
  let secret = "";
  let recovery: string[] = [];

  it("before setup: off everywhere, and the routes that need it on say so (400, nothing changed)", async () => {
    a = await signedIn(A);
    expect(await status(a)).toEqual({ enabled: false, enabledAt: null, pending: false, recoveryCodesLeft: 0 });
    expect(await getTwoFactorEnable()).toBe(false);
    const before = await rows();
    const enable = await a.send(`${TF}/enable`, { body: { code: "123456" } });
    expect([enable.status, enable.json?.msg]).toEqual([400, "no setup is waiting to be confirmed: start the setup again"]);
    const disable = await a.send(`${TF}/disable`, { body: { code: "123456" } });
    expect([disable.status, disable.json?.msg]).toEqual([400, "two-factor sign-in is not on"]);
    const regen = await a.send(`${TF}/recoveryCodes`, { body: { code: "123456" } });
    expect([regen.status, regen.json?.msg]).toEqual([400, "two-factor sign-in is not on"]);
    expect(await rows()).toBe(before);
  });

  it("setup makes the secret on the server (text, otpauth URI, QR SVG); again replaces it; bad codes change nothing", async () => {
    const first = (await a.send<Setup>(`${TF}/setup`, { body: {} })).json!.obj!;
    expect(first.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(first.otpauthUri).toMatch(/^otpauth:\/\/totp\/xui-panel:admin\?/);
    const uri = new URL(first.otpauthUri);
    expect(Object.fromEntries(uri.searchParams)).toMatchObject({ secret: first.secret, issuer: "xui-panel", algorithm: "SHA1", digits: "6", period: "30" });
    expect(first.qrSvg).toMatch(/^<svg [^>]*viewBox="0 0 \d+ \d+"/);
    expect(first.qrSvg).not.toMatch(/https?:\/\/(?!www\.w3\.org)/); // drawn here, nothing fetched
    expect(await status(a)).toMatchObject({ enabled: false, pending: true });

    const second = (await a.send<Setup>(`${TF}/setup`, { body: {} })).json!.obj!;
    expect(second.secret).not.toBe(first.secret);
    secret = second.secret;
    const before = await rows();
    await awayFromStepEdge();
    const now = Date.now();
    const refusals: [unknown, string][] = [
      [{}, "code is required"],
      [{ code: "" }, "code is required"],
      [{ code: 123456 }, "code must be text"],
      [{ code: "x".repeat(65) }, "code is too long"],
      [{ code: totpAt(first.secret, now) }, "that code is not right: enter the 6-digit code your authenticator app shows for this panel now"],
      [{ code: totpAt(secret, now - 60_000) }, "that code is not right: enter the 6-digit code your authenticator app shows for this panel now"],
      [{ code: totpAt(secret, now + 60_000) }, "that code is not right: enter the 6-digit code your authenticator app shows for this panel now"],
    ];
    for (const [body, msg] of refusals) {
      const res = await a.send(`${TF}/enable`, { body });
      expect([res.status, res.json?.success, res.json?.msg], JSON.stringify(body)).toEqual([400, false, msg]);
    }
    expect(await rows()).toBe(before);
    expect(await status(a)).toMatchObject({ enabled: false, pending: true });
  });

  it("enable takes a code of the previous step and returns 10 distinct recovery codes; setup is then refused", async () => {
    await awayFromStepEdge();
    const res = await a.send<{ recoveryCodes: string[] }>(`${TF}/enable`, { body: { code: totpAt(secret, Date.now() - 30_000) } });
    expect(res.json?.success, res.text).toBe(true);
    recovery = res.json!.obj!.recoveryCodes;
    expect(recovery).toHaveLength(10);
    expect(new Set(recovery).size).toBe(10);
    for (const c of recovery) expect(c).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    const st = await status(a);
    expect(st).toMatchObject({ enabled: true, pending: false, recoveryCodesLeft: 10 });
    expect(st.enabledAt).toBeGreaterThan(Date.now() - 60_000);
    expect(await getTwoFactorEnable()).toBe(true);

    const before = await rows();
    const again = await a.send(`${TF}/setup`, { body: {} });
    expect([again.status, again.json?.msg]).toEqual([400, "two-factor sign-in is already on: turn it off first to set it up again"]);
    const reEnable = await a.send(`${TF}/enable`, { body: { code: totpAt(secret, Date.now()) } });
    expect([reEnable.status, reEnable.json?.msg]).toEqual([400, "two-factor sign-in is already on: turn it off first to set it up again"]);
    expect(await rows()).toBe(before);
    expect((await auditActions()).map((r) => r.action)).toEqual(["twofactor.enabled"]);
  });

  it("login: a missing or wrong code, or a right code with a wrong password, gets 3x-ui's text; ±1 step, each code once", async () => {
    await awayFromStepEdge();
    const now = Date.now();
    const attempt = (code?: string, password = A.password) => loginWithCode(new BrowserSession(server.baseUrl, "127.0.0.2"), A.username, password, code);
    for (const [code, password] of [
      [undefined, A.password],
      ["", A.password],
      ["000000", A.password],
      [totpAt(secret, now), `${A.password}x`],
      [totpAt(secret, now + 60_000), A.password],
    ] as const) {
      const res = await attempt(code, password);
      expect([res.json?.success, res.json?.msg], `${code} ${password}`).toEqual([false, WRONG]);
    }
    // The budget is per IP + username: the next failures come from elsewhere.
    const ok = await loginWithCode(new BrowserSession(server.baseUrl, "127.0.0.3"), A.username, A.password, totpAt(secret, now));
    expect(ok.json, ok.text).toMatchObject({ success: true, msg: "You have successfully logged into your account." });
    const replay = await loginWithCode(new BrowserSession(server.baseUrl, "127.0.0.3"), A.username, A.password, totpAt(secret, now));
    expect(replay.json?.msg).toBe(WRONG);
    // The next step's code (an app a little ahead), as a form with spaces.
    const code = totpAt(secret, now + 30_000);
    const s = new BrowserSession(server.baseUrl, "127.0.0.3");
    await s.refreshCsrf();
    const form = await s.send("/login", {
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ username: A.username, password: A.password, twoFactorCode: `${code.slice(0, 3)} ${code.slice(3)}` }).toString(),
    });
    expect(form.json?.success, form.text).toBe(true);
  });

  it("wrong codes count against the login throttle like wrong passwords", async () => {
    for (let i = 0; i < 5; i++) {
      const res = await loginWithCode(new BrowserSession(server.baseUrl, "127.0.0.4"), A.username, A.password, "111111");
      expect(res.json?.msg).toBe(WRONG);
    }
    const locked = await loginWithCode(new BrowserSession(server.baseUrl, "127.0.0.4"), A.username, A.password, recovery[9]);
    expect(locked.status).toBe(429);
    expect(await status(a)).toMatchObject({ recoveryCodesLeft: 10 }); // the check never ran
  });

  it("a recovery code signs in once (any case, spaces or dashes), then is refused", async () => {
    const code = recovery[0]!;
    const s = await signedIn(A, ` ${code.toUpperCase().replace("-", " - ")} `, "127.0.0.5");
    expect((await s.send(TF, { headers: XHR })).status).toBe(200);
    const again = await loginWithCode(new BrowserSession(server.baseUrl, "127.0.0.5"), A.username, A.password, code);
    expect(again.json?.msg).toBe(WRONG);
    expect(await status(a)).toMatchObject({ enabled: true, recoveryCodesLeft: 9 });
    const used = (await auditActions()).filter((r) => r.action === "twofactor.recovery_used");
    expect(used).toEqual([{ action: "twofactor.recovery_used", actor_type: "session", actor_name: "admin", target_name: "admin" }]);
  });

  it("regenerate: a wrong code is refused (nothing changed); a recovery code gives 10 new ones and voids the old", async () => {
    const before = await rows();
    const wrong = await a.send(`${TF}/recoveryCodes`, { body: { code: "999999" } });
    expect([wrong.status, wrong.json?.msg]).toEqual([
      400,
      "that code is not right: enter the current 6-digit code from your authenticator app, or an unused recovery code",
    ]);
    const empty = await a.send(`${TF}/recoveryCodes`, { body: {} });
    expect([empty.status, empty.json?.msg]).toEqual([400, "code is required"]);
    expect(await rows()).toBe(before);

    const res = await a.send<{ recoveryCodes: string[] }>(`${TF}/recoveryCodes`, { body: { code: recovery[1] } });
    expect(res.json?.success, res.text).toBe(true);
    const fresh = res.json!.obj!.recoveryCodes;
    expect(fresh).toHaveLength(10);
    expect(fresh.some((c) => recovery.includes(c))).toBe(false);
    expect(await status(a)).toMatchObject({ recoveryCodesLeft: 10 });
    const old = await loginWithCode(new BrowserSession(server.baseUrl, "127.0.0.6"), A.username, A.password, recovery[2]);
    expect(old.json?.msg).toBe(WRONG);
    await signedIn(A, fresh[0], "127.0.0.6");
    recovery = fresh.slice(1);
    expect((await auditActions()).map((r) => r.action)).toContain("twofactor.recovery_regenerated");
  });

  it("disable: a wrong code changes nothing; a right one turns 2FA off and ends the admin's other sessions, not this one", async () => {
    const other = await signedIn(A, recovery[0], "127.0.0.7");
    expect((await other.send(TF, { headers: XHR })).status).toBe(200);
    const before = await rows();
    const wrong = await a.send(`${TF}/disable`, { body: { code: "not-a-code" } });
    expect(wrong.status).toBe(400);
    expect(await rows()).toBe(before);
    expect((await other.send(TF, { headers: XHR })).status).toBe(200);

    const res = await a.send(`${TF}/disable`, { body: { code: recovery[1] } });
    expect(res.json?.success, res.text).toBe(true);
    expect((await other.send(TF, { headers: XHR })).status).toBe(401);
    expect(await status(a)).toEqual({ enabled: false, enabledAt: null, pending: false, recoveryCodesLeft: 0 });
    expect(await getTwoFactorEnable()).toBe(false);
    expect(JSON.parse(await rows())).toEqual([[], []]);
    await signedIn(A, undefined, "127.0.0.7"); // no code needed any more
    expect((await auditActions()).at(-1)).toMatchObject({ action: "twofactor.disabled", actor_type: "session", actor_name: "admin" });
  });

  it("enable after a fresh setup takes a code of the next step (an app a little ahead)", async () => {
    await awayFromStepEdge();
    const { secret: again, codes } = await enrol(a, 30_000);
    expect(codes).toHaveLength(10);
    const res = await a.send(`${TF}/disable`, { body: { code: codes[0] } });
    expect(res.json?.success, res.text).toBe(true);
    expect(again).not.toBe(secret);
  });

  it("wrong codes to turn it off or make new recovery codes count against the login throttle: 429 after 5, nothing changed", async () => {
    const { codes } = await enrol(a);
    const guesser = await signedIn(A, codes[0], "127.0.0.9");
    const before = await rows();
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await guesser.send(`${TF}/disable`, { body: { code: String(100000 + i) } }));
    for (let i = 3; i < 6; i++) answers.push(await guesser.send(`${TF}/recoveryCodes`, { body: { code: String(100000 + i) } }));
    expect(answers.map((r) => r.status)).toEqual([400, 400, 400, 400, 400, 429]);
    expect(answers[5]!.json?.msg).toMatch(/too many failed login attempts/);
    // Even the right code is refused from there now; the panel is unchanged.
    expect((await guesser.send(`${TF}/disable`, { body: { code: codes[1] } })).status).toBe(429);
    expect(await rows()).toBe(before);
    const off = await a.send(`${TF}/disable`, { body: { code: codes[2] } });
    expect(off.json?.success, off.text).toBe(true);
  });
});

describe("two-factor across clients and the command line", () => {
  let b: BrowserSession;
  let secret = "";

  it("3xui-api-client logs in with twoFactorCode (its form login plus 3x-ui's field)", async () => {
    b = await signedIn(B);
    await awayFromStepEdge(10_000);
    ({ secret } = await enrol(b, -30_000));
    const client: XuiClient = new ThreeXUI(server.baseUrl, B.username, B.password, { loginRetryBackoff: 0 });
    // How a bot adds 3x-ui's field to the package's URL-encoded login.
    client.api.interceptors.request.use((config) => {
      if (config.url === "/login" && config.data instanceof URLSearchParams) config.data.append("twoFactorCode", totpAt(secret, Date.now()));
      return config;
    });
    const login = await client.login();
    expect(login).toMatchObject({ success: true, data: { success: true } });
    expect((await client.getServerStatus()).success).toBe(true);
    expect((await client.getTwoFactorEnable()).obj).toBe(true);
    await client._request("post", "/logout");
    await client.logout();
  });

  it("the same code in 10 parallel logins signs in exactly once", async () => {
    const code = totpAt(secret, Date.now() + 30_000);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => loginWithCode(new BrowserSession(server.baseUrl, `127.0.1.${i + 1}`), B.username, B.password, code)),
    );
    const texts = results.map((r) => r.json?.msg);
    expect(texts.filter((t) => t === "You have successfully logged into your account.")).toHaveLength(1);
    expect(texts.filter((t) => t === WRONG)).toHaveLength(9);
  });

  it("CLI `admin 2fa disable` turns it off, voids the recovery codes, ends every session, audited as the CLI", async () => {
    expect((await b.send(TF, { headers: XHR })).status).toBe(200);
    const usage = await panel("admin", "2fa", "disable");
    expect([usage.code, usage.stderr]).toEqual([2, "panel: --username is required (see: npm run panel -- --help)\n"]);
    const unknown = await panel("admin", "2fa", "disable", "--username", "nobody");
    expect([unknown.code, unknown.stderr]).toEqual([1, "panel: no admin is named 'nobody'\n"]);

    const res = await panel("admin", "2fa", "disable", "--username", B.username);
    expect([res.code, res.stdout]).toEqual([0, `Turned two-factor sign-in off for admin "second", voided its recovery codes and ended its sessions.\n`]);
    expect((await b.send(TF, { headers: XHR })).status).toBe(401);
    const s = await signedIn(B);
    expect(await status(s)).toEqual({ enabled: false, enabledAt: null, pending: false, recoveryCodesLeft: 0 });
    expect((await auditActions()).at(-1)).toEqual({ action: "twofactor.disabled", actor_type: "system", actor_name: "cli", target_name: "second" });
    const db = openDirect(server.databaseUrl);
    try {
      const left = await db.execute({ sql: "SELECT count(*) FROM recovery_codes WHERE user_id = (SELECT id FROM admin_users WHERE username = ?)", args: [B.username] });
      expect(Number(left.rows[0]![0])).toBe(0);
    } finally {
      db.close();
    }
  });

  it("the routes need a session or an admin token", async () => {
    const res = await request(server.baseUrl, `${TF}/setup`, { body: {}, headers: XHR });
    expect(res.status).toBe(401);
  });
});

describe.skipIf(testBackend() === "sqld")("two-factor across a backup and restore", () => {
  const work = mkdtempSync(path.join(os.tmpdir(), "xui-2fa-restore-"));
  let restored: PanelServer | undefined;
  afterAll(async () => {
    await restored?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it("backup copies the key file (0600), restore on a fresh host puts it back, and a 2FA login works there", async () => {
    const env = { ADMIN_USERNAME: A.username, ADMIN_PASSWORD: A.password };
    const original = await startPanelServer({ dataDir: path.join(work, "old"), env });
    let secret: string;
    const backup = path.join(work, "backup.db");
    try {
      await awayFromStepEdge(10_000);
      ({ secret } = await enrol(await signedInTo(original.baseUrl, A), -30_000));
      const made = await runPanel(["backup", backup], original.databaseUrl);
      expect(made.code, made.stderr).toBe(0);
      expect(made.stdout).toContain(`Copied the panel key to ${backup}.key (mode 0600)`);
      expect(statSync(`${backup}.key`).mode & 0o777).toBe(0o600);
      expect(readFileSync(`${backup}.key`, "utf8")).toBe(readFileSync(path.join(work, "old", "panel.key"), "utf8"));
    } finally {
      await original.stop();
    }

    const fresh = path.join(work, "new");
    const url = `file:${path.join(fresh, "panel.db")}`;
    const put = await runPanel(["restore", backup], url);
    expect(put.code, put.stderr).toBe(0);
    expect(put.stdout).toContain(`Put the panel key ${backup}.key back as ${path.join(fresh, "panel.key")}.`);
    expect(statSync(path.join(fresh, "panel.key")).mode & 0o777).toBe(0o600);

    restored = await startPanelServer({ dataDir: fresh, env });
    const s = new BrowserSession(restored.baseUrl);
    const res = await loginWithCode(s, A.username, A.password, totpAt(secret, Date.now()));
    expect(res.json?.success, res.text).toBe(true);
    const without = await loginWithCode(new BrowserSession(restored.baseUrl), A.username, A.password);
    expect(without.json?.msg).toBe(WRONG);
  });

  it("with PANEL_SECRET_KEY, backup writes no key file and says the same key is needed", async () => {
    const url = `file:${path.join(work, "env", "panel.db")}`;
    const key = { PANEL_SECRET_KEY: "cd".repeat(32) };
    const target = path.join(work, "env-backup.db");
    const made = await runPanel(["backup", target], url, { env: key });
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toContain("The panel key comes from PANEL_SECRET_KEY: keep that value with the backup");
    expect(existsSync(`${target}.key`)).toBe(false);
    expect(existsSync(path.join(work, "env", "panel.key"))).toBe(false);
  });
});

async function signedInTo(baseUrl: string, who: { username: string; password: string }) {
  const s = new BrowserSession(baseUrl);
  expect((await loginWithCode(s, who.username, who.password)).json?.success).toBe(true);
  return s;
}
