import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createClient } from "@libsql/client";
import { afterAll, describe, expect, it } from "vitest";
import { runPanel } from "../support/cli";
import { bearer, BrowserSession, request } from "../support/client";
import { startPanelServer, testBackend, type PanelServer } from "../support/server";

/**
 * `restore` next to the real server: refused while the server has the
 * database open, then, with the server stopped, the backup's state comes back
 * (tokens deleted since return, tokens made since are gone) and no session of
 * before survives. Embedded databases only: on sqld, restore refuses by design.
 */
const ADMIN = { username: "admin", password: "restore-suite-password-1" };
const work = mkdtempSync(path.join(os.tmpdir(), "xui-restore-"));
let server: PanelServer | undefined;
afterAll(async () => {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

const works = async (token: string) =>
  (await request(server!.baseUrl, "/panel/api/server/status", { headers: bearer(token) })).status === 200;

describe.skipIf(testBackend() === "sqld")("restore", () => {
  it("is refused while a panel runs, then brings back the backup's tokens and ends every session", async () => {
    const dataDir = path.join(work, "data");
    server = await startPanelServer({ dataDir, env: { ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password } });
    const databaseUrl = server.databaseUrl;
    const panel = (...args: string[]) => runPanel(args, databaseUrl);
    const mint = async (name: string) => (await panel("token", "create", "--name", name)).stdout.trim();

    // Signed in before the backup: the session is in it, and must not come back to life.
    const browser = new BrowserSession(server.baseUrl);
    expect((await browser.login(ADMIN.username, ADMIN.password)).json?.success).toBe(true);
    const xhr = { "x-requested-with": "XMLHttpRequest" };
    const signedIn = async () => (await browser.send("/panel/api/setting/apiTokens", { headers: xhr })).status === 200;
    expect(await signedIn()).toBe(true);
    const kept = await mint("kept-bot");
    const deletedLater = await mint("deleted-later");
    const backupFile = path.join(work, "backup.db");
    expect((await panel("backup", backupFile)).code).toBe(0);

    // After the backup: one token deleted, one made.
    expect((await panel("token", "delete", "deleted-later")).code).toBe(0);
    const madeLater = await mint("made-later");

    const refused = await panel("restore", backupFile);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/open in a running panel .*stop every panel using it/);
    // Nothing changed.
    expect([await works(kept), await works(deletedLater), await works(madeLater), await signedIn()]).toEqual([true, false, true, true]);

    await server.stop();
    server = undefined;

    // Not a backup: refused with the reason, nothing changed.
    const garbage = path.join(work, "garbage.db");
    writeFileSync(garbage, "not a database at all, just text ".repeat(200));
    const other = path.join(work, "other.db");
    const otherDb = createClient({ url: `file:${other}` });
    await otherDb.execute("CREATE TABLE notes (x TEXT)");
    otherDb.close();
    for (const [file, reason] of [
      [garbage, /is not a database file|cannot be opened/],
      [other, /is not a panel database/],
      [path.join(work, "missing.db"), /does not exist/],
    ] as const) {
      const r = await panel("restore", file);
      expect(r.code, file).toBe(1);
      expect(r.stderr, file).toMatch(reason);
    }
    expect(readdirSync(dataDir).filter((f) => f.includes("before-restore"))).toEqual([]);

    // The backup's key copy differs from the key file here (as after a key change since the backup).
    const keyFile = path.join(dataDir, "panel.key");
    const oldKey = readFileSync(keyFile, "utf8");
    const backupKey = `${randomBytes(32).toString("hex")}\n`;
    writeFileSync(`${backupFile}.key`, backupKey, { mode: 0o600 });
    const restored = await panel("restore", backupFile);
    expect(restored.stderr).toBe("");
    expect(restored.code).toBe(0);
    expect(restored.stdout).toMatch(/Restored .*: 2 tokens, 2 enabled; every session ended\./);
    const previous = /kept at (\S+)\.\n/.exec(restored.stdout)?.[1];
    expect(previous && existsSync(previous)).toBe(true);
    // The key file is replaced by the backup's copy; the one there is kept beside it.
    const keptKey = /\(the one there is kept at (\S+)\)/.exec(restored.stdout)?.[1];
    expect(keptKey && readFileSync(keptKey, "utf8")).toBe(oldKey);
    expect(readFileSync(keyFile, "utf8")).toBe(backupKey);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(readdirSync(dataDir).filter((f) => f.endsWith(".tmp"))).toEqual([]);

    server = await startPanelServer({ dataDir, env: { ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password } });
    expect([await works(kept), await works(deletedLater), await works(madeLater)]).toEqual([true, true, false]);
    const again = new BrowserSession(server.baseUrl);
    again.cookie = browser.cookie;
    expect((await again.send("/panel/api/setting/apiTokens", { headers: xhr })).status).toBe(401);

    // The database that was replaced is intact beside it: the token made after the backup is in it.
    const before = createClient({ url: `file:${previous}` });
    const names = (await before.execute("SELECT name FROM api_tokens ORDER BY id")).rows.map((r) => r.name);
    before.close();
    expect(names).toEqual(["kept-bot", "made-later"]);

    // The restore is in the restored database's audit log, with what it replaced.
    const audit = await request<{ events: { action: string; actor: { type: string; name: string }; detail: Record<string, unknown> }[] }>(
      server.baseUrl,
      "/panel/api/setting/auditLog?action=database.restore",
      { headers: bearer(kept) },
    );
    expect(audit.json?.obj?.events.map((e) => [e.action, e.actor.type, e.actor.name, e.detail.backup, e.detail.previous, e.detail.tokens])).toEqual([
      ["database.restore", "system", "cli", path.basename(backupFile), path.basename(previous!), 2],
    ]);
  });
});
