import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { bearer, BrowserSession, observeResponses, request, type ApiResponse } from "../support/client";
import { openDirect } from "../support/direct-db";
import { recordFigures } from "../support/figures";
import { startPanelServer, type PanelServer } from "../support/server";
import { SoftAuthenticator } from "../support/soft-authenticator";
import { loginWithCode, totpAt } from "../support/totp";

/**
 * A run that signs in, mints tokens of every scope, uses, disables and deletes
 * them, and pokes the error paths with secrets in hand. Afterwards no secret
 * may be found anywhere it should not be:
 *  - a token's plaintext: only in its own create answer (not in the database
 *    file, its WAL, the server's output, or any other response);
 *  - the admin password and every session cookie value: nowhere (a cookie only
 *    in the Set-Cookie header that issued it);
 *  - the stored hashes (tokens, sessions, password): in no response at all;
 *  - a passkey's private key: nowhere (it never leaves the authenticator), and
 *    its stored public key in no response.
 *  - the TOTP secret: only in the setup answer; each recovery code only in the
 *    answer that made it (the database holds an AES-GCM box and HMACs); the
 *    panel key: nowhere but its file; a password typed as a username: neither
 *    it nor its SHA-256 in the database (the throttle key is an HMAC).
 */
const PASSWORD = `Pw-${randomBytes(12).toString("base64url")}`;
const ENV = { ADMIN_USERNAME: "admin", ADMIN_PASSWORD: PASSWORD };
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

let server: PanelServer | undefined;
afterAll(async () => {
  await server?.stop();
  if (server) rmSync(server.dataDir, { recursive: true, force: true });
});

interface Seen {
  path: string;
  status: number;
  headers: [string, string][];
  body: string;
}

function occurrences(haystack: string, needle: string): number {
  return needle ? haystack.split(needle).length - 1 : 0;
}

/** The forms a secret could be written in: as is, base64, hex, URL-encoded. */
function encodings(secret: string): string[] {
  return [...new Set([secret, Buffer.from(secret).toString("base64"), Buffer.from(secret).toString("hex"), encodeURIComponent(secret)])];
}

describe("secrets never leak", () => {
  it("plaintexts, the admin password and session cookies appear nowhere they should not; hashes in no response", async () => {
    server = await startPanelServer({ keepData: true, env: ENV });
    const base = server.baseUrl;
    const seen: Seen[] = [];
    const stopObserving = observeResponses((res: ApiResponse, path: string) => {
      seen.push({ path, status: res.status, headers: [...res.headers.entries()], body: res.text });
    });
    const plaintexts = new Map<string, number>(); // plaintext → index in `seen` of its create answer
    // No PANEL_ORIGIN: the default, http://localhost:<PORT> with RP ID localhost.
    const authenticator = new SoftAuthenticator("localhost", `http://localhost:${server.port}`);
    const recoveryCodes = new Map<string, number>(); // code → index in `seen` of the answer that made it
    let totpSecret = "";
    let totpSetupAt = -1;

    try {
      // Sign in (twice, from two addresses), fail a few times, and type the password into the username field once.
      const s = new BrowserSession(base);
      expect((await s.login("admin", PASSWORD)).json?.success).toBe(true);
      const s2 = new BrowserSession(base, "127.0.0.2");
      expect((await s2.login("admin", PASSWORD)).json?.success).toBe(true);
      expect((await new BrowserSession(base, "127.0.0.3").login("admin", `${PASSWORD}x`)).json?.success).toBe(false);
      expect((await new BrowserSession(base, "127.0.0.3").login(PASSWORD, "admin")).json?.success).toBe(false);

      const mint = async (body: Record<string, unknown>, via: "session" | "bearer", token?: string) => {
        const res =
          via === "session"
            ? await s.send<{ id: number; token: string }>("/panel/api/setting/apiTokens/create", { body })
            : await request<{ id: number; token: string }>(base, "/panel/api/setting/apiTokens/create", { headers: bearer(token!), body });
        expect(res.json?.success, res.text).toBe(true);
        plaintexts.set(res.json!.obj!.token, seen.length - 1);
        return res.json!.obj!;
      };
      const root = await mint({ name: "root" }, "session");
      const minted = [
        root,
        await mint({ name: "monitor", scope: "monitor" }, "bearer", root.token),
        await mint({ name: "node-sync", scope: "node-sync" }, "bearer", root.token),
        await mint({ name: "expiring", expiresAt: Date.now() + 3_600_000 }, "bearer", root.token),
        await mint({ name: "to-disable" }, "session"),
        await mint({ name: "to-delete" }, "bearer", root.token),
      ];

      // Use every token, the ways bots do and some ways they should not.
      for (const t of minted) {
        await request(base, "/panel/api/server/status", { headers: bearer(t.token) });
        await request(base, "/panel/api/setting/apiTokens", { headers: bearer(t.token) });
        await request(base, "/panel/api/setting/apiTokens/create", { headers: bearer(t.token), body: { name: "root" } }); // duplicate
        await request(base, `/panel/api/nope?token=${t.token}`, { headers: bearer(t.token) });
        await request(base, "/panel/api/setting/apiTokens/create", { headers: bearer(t.token), body: `{"name":"${t.token}` }); // broken JSON
        await request(base, "/panel/api/setting/apiTokens/create", { headers: bearer(t.token), body: JSON.stringify({ name: t.token.repeat(3) }) }); // too long
        await request(base, "/panel/api/setting/apiTokens/create", { headers: bearer(t.token), body: `{"name":"${t.token.repeat(2000)}"}` }); // 413
        await request(base, "/panel/api/setting/apiTokens", { headers: bearer(`${t.token}x`) });
        await request(base, "/panel/api/setting/apiTokens", { method: "TRACE", headers: bearer(t.token) });
      }
      // Rotation: the new plaintext appears only in the rotate answer; the old one (in grace) nowhere new.
      const rotated = await request<{ id: number; token: string }>(base, `/panel/api/setting/apiTokens/rotate/${minted[1]!.id}`, {
        headers: bearer(root.token),
        body: { graceSeconds: 60 },
      });
      expect(rotated.json?.success, rotated.text).toBe(true);
      plaintexts.set(rotated.json!.obj!.token, seen.length - 1);
      for (const t of [minted[1]!.token, rotated.json!.obj!.token]) {
        expect((await request(base, "/panel/api/server/status", { headers: bearer(t) })).status).toBe(200);
      }
      // Leak report and audit log: they handle tokens, and must not echo them.
      await request(base, "/api/credentials/revoke", { body: { credentials: [minted[2]!.token, "xui_unknown"] } });
      await request(base, "/panel/api/setting/auditLog?limit=200", { headers: bearer(root.token) });
      const [, , , , toDisable, toDelete] = minted;
      await s.send(`/panel/api/setting/apiTokens/setEnabled/${toDisable!.id}`, { body: { enabled: false } });
      await request(base, `/panel/api/setting/apiTokens/delete/${toDelete!.id}`, { method: "POST", headers: bearer(root.token) });
      for (const t of [toDisable!, toDelete!]) expect((await request(base, "/panel/api/server/status", { headers: bearer(t.token) })).status).toBe(401);
      // The password in bodies that fail: a wrong current password, and as a new name.
      await s.send("/panel/api/setting/updateUser", { body: { oldUsername: "admin", oldPassword: "wrong-one", newUsername: "admin", newPassword: PASSWORD } });
      await s.send("/panel/api/setting/apiTokens/create", { body: { name: PASSWORD.repeat(5) } });
      // A passkey: registered, listed, used to sign in, refused once with a bad signature counter.
      const creation = await s.send<{ challenge: string; user: { id: string } }>("/panel/api/setting/passkeys/registerOptions", { body: {} });
      const added = await s.send("/panel/api/setting/passkeys/register", { body: { name: "key", response: authenticator.register(creation.json!.obj!) } });
      expect(added.json?.success, added.text).toBe(true);
      await s.send("/panel/api/setting/passkeys");
      const p = new BrowserSession(base, "127.0.0.4");
      await p.refreshCsrf();
      const assertion = await p.send<{ challenge: string }>("/login/passkey/options", { body: {} });
      expect((await p.send("/login/passkey", { body: { response: authenticator.assert(assertion.json!.obj!) } })).json?.success).toBe(true);
      const again = await p.send<{ challenge: string }>("/login/passkey/options", { body: {} });
      expect((await p.send("/login/passkey", { body: { response: authenticator.assert(again.json!.obj!, { counter: 0 }) } })).json?.success).toBe(false);
      // Two-factor: set up, confirm, sign in with a code and with recovery codes, make new ones, turn it off.
      const setup = await s.send<{ secret: string }>("/panel/api/setting/twoFactor/setup", { body: {} });
      totpSecret = setup.json!.obj!.secret;
      totpSetupAt = seen.length - 1;
      const enabled = await s.send<{ recoveryCodes: string[] }>("/panel/api/setting/twoFactor/enable", { body: { code: totpAt(totpSecret, Date.now()) } });
      expect(enabled.json?.success, enabled.text).toBe(true);
      for (const c of enabled.json!.obj!.recoveryCodes) recoveryCodes.set(c, seen.length - 1);
      const first = enabled.json!.obj!.recoveryCodes;
      expect((await loginWithCode(new BrowserSession(base, "127.0.0.4"), "admin", PASSWORD, totpAt(totpSecret, Date.now() + 30_000))).json?.success).toBe(true);
      expect((await loginWithCode(new BrowserSession(base, "127.0.0.4"), "admin", PASSWORD, first[0])).json?.success).toBe(true);
      expect((await loginWithCode(new BrowserSession(base, "127.0.0.4"), "admin", PASSWORD, first[0])).json?.success).toBe(false);
      expect((await loginWithCode(new BrowserSession(base, "127.0.0.4"), "admin", PASSWORD, totpSecret)).json?.success).toBe(false);
      await s.send("/panel/api/setting/twoFactor/enable", { body: { code: totpSecret } });
      await s.send("/panel/api/setting/twoFactor", {});
      const regenerated = await s.send<{ recoveryCodes: string[] }>("/panel/api/setting/twoFactor/recoveryCodes", { body: { code: first[1] } });
      expect(regenerated.json?.success, regenerated.text).toBe(true);
      for (const c of regenerated.json!.obj!.recoveryCodes) recoveryCodes.set(c, seen.length - 1);
      await s.send("/panel/api/setting/twoFactor/disable", { body: { code: first[2] } }); // voided: refused
      const off = await s.send("/panel/api/setting/twoFactor/disable", { body: { code: regenerated.json!.obj!.recoveryCodes[0] } });
      expect(off.json?.success, off.text).toBe(true);
      await s.send("/logout", { method: "POST" });
    } finally {
      stopObserving();
    }

    // What is on disk while the server runs (the WAL holds the recent writes), and after a clean stop.
    const dbFile = server.databaseUrl.slice("file:".length);
    const readDb = () => ["", "-wal", "-shm"].map((suffix) => (existsSync(dbFile + suffix) ? readFileSync(dbFile + suffix).toString("latin1") : "")).join("\n");
    const direct = openDirect(server.databaseUrl);
    const passkeyPublicKeys = (await direct.execute("SELECT public_key FROM passkeys")).rows.map((r) => String(r[0]));
    expect(passkeyPublicKeys).toHaveLength(1);
    const hashes = [
      ...(await direct.execute("SELECT token_hash FROM api_tokens")).rows.map((r) => String(r[0])),
      ...(await direct.execute("SELECT id_hash FROM sessions")).rows.map((r) => String(r[0])),
      ...(await direct.execute("SELECT password_hash FROM admin_users")).rows.map((r) => String(r[0])),
    ];
    direct.close();
    const diskWhileRunning = readDb();
    await server.stop();
    const diskAfterStop = readDb();
    const output = server.output();

    const cookies = new Set(
      seen.flatMap((r) => r.headers.filter(([n]) => n === "set-cookie").map(([, v]) => /^3x-ui=([^;]*)/.exec(v)?.[1] ?? "")).filter(Boolean),
    );
    for (const c of cookies) hashes.push(sha256(c)); // session id hashes, also of sessions already gone
    for (const p of plaintexts.keys()) hashes.push(sha256(p));

    const leaks: string[] = [];
    const places = { "database (running)": diskWhileRunning, "database (stopped)": diskAfterStop, "server output": output };
    const scan = (label: string, secret: string, allowed: (r: Seen, i: number) => boolean, inHeaders: (name: string) => boolean) => {
      for (const form of encodings(secret)) {
        for (const [where, text] of Object.entries(places)) if (occurrences(text, form)) leaks.push(`${label} in ${where}`);
        seen.forEach((r, i) => {
          if (!allowed(r, i) && occurrences(r.body, form)) leaks.push(`${label} in the body of ${r.path} (${r.status})`);
          for (const [name, value] of r.headers) if (inHeaders(name) && occurrences(value, form)) leaks.push(`${label} in header ${name} of ${r.path}`);
        });
      }
    };
    for (const [p, createdAt] of plaintexts) {
      scan(`token ${p.slice(0, 8)}…`, p, (_, i) => i === createdAt, () => true);
      scan(`random part of ${p.slice(0, 8)}…`, p.slice(4, 34), (_, i) => i === createdAt, () => true);
    }
    expect(totpSecret).toMatch(/^[A-Z2-7]{32}$/);
    scan("TOTP secret", totpSecret, (_, i) => i === totpSetupAt, () => true);
    scan("TOTP secret (lowercased)", totpSecret.toLowerCase(), (_, i) => i === totpSetupAt, () => true);
    expect(recoveryCodes.size).toBe(20);
    for (const [c, madeAt] of recoveryCodes) {
      scan(`recovery code ${c.slice(0, 3)}…`, c, (_, i) => i === madeAt, () => true);
      scan(`recovery code ${c.slice(0, 3)}… (no dash)`, c.replace("-", ""), (_, i) => i === madeAt, () => true);
      scan(`SHA-256 of recovery code ${c.slice(0, 3)}…`, sha256(c.replace("-", "")), () => false, () => true);
    }
    const panelKey = readFileSync(path.join(server.dataDir, "panel.key"), "utf8").trim();
    expect(panelKey).toMatch(/^[0-9a-f]{64}$/);
    scan("panel key", panelKey, () => false, () => true);
    // The password typed into the username field: not even its SHA-256 (the throttle key is an HMAC).
    for (const form of [PASSWORD, PASSWORD.toLowerCase()]) scan("SHA-256 of a password typed as a username", sha256(form), () => false, () => true);
    scan("admin password", PASSWORD, () => false, () => true);
    scan("admin password (lowercased)", PASSWORD.toLowerCase(), () => false, () => true);
    for (const k of authenticator.privateKeyForms()) scan("passkey private key", k, () => false, () => true);
    for (const k of passkeyPublicKeys) {
      for (const r of seen) if (occurrences(r.body, k)) leaks.push(`passkey public key in a response to ${r.path}`);
    }
    for (const c of cookies) scan(`session cookie ${c.slice(0, 6)}…`, c, () => false, (name) => name !== "set-cookie");
    for (const h of hashes) {
      for (const r of seen) {
        if (occurrences(r.body, h) || r.headers.some(([, v]) => occurrences(v, h))) leaks.push(`hash ${h.slice(0, 12)}… in a response to ${r.path}`);
      }
    }

    // The create answers really did carry each plaintext once (so the scan above was looking for the right thing).
    for (const [p, i] of plaintexts) expect(occurrences(seen[i]!.body, p)).toBe(1);
    expect(occurrences(seen[totpSetupAt]!.body, totpSecret)).toBeGreaterThan(0);
    for (const [c, i] of recoveryCodes) expect(occurrences(seen[i]!.body, c)).toBe(1);
    recordFigures("secrets", {
      responsesScanned: seen.length,
      responseBytes: seen.reduce((n, r) => n + r.body.length, 0),
      databaseBytes: diskWhileRunning.length + diskAfterStop.length,
      outputBytes: output.length,
      plaintexts: plaintexts.size,
      sessionCookies: cookies.size,
      hashes: hashes.length,
      leaks: leaks.length,
    });
    expect(leaks).toEqual([]);
    expect(cookies.size).toBeGreaterThan(3);
    expect(seen.length).toBeGreaterThan(60);
  });
});
