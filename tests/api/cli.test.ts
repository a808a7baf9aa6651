import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "@/db/client";
import { mintToken, tokenChecksum } from "@/lib/tokens/format";
import { verifyBearerToken } from "@/lib/tokens/service";
import { runPanel } from "../support/cli";
import { bearer, BrowserSession, request } from "../support/client";
import { startPanelServer, testBackend, type PanelServer } from "../support/server";
import { buildXuiDatabase, xuiPlaintext } from "../support/xui-fixture";

/**
 * The CLI next to a running production server on the same database: what the
 * CLI does takes effect on the server's very next request.
 */
const ADMIN = { username: "admin", password: "cli-suite-password-1" };
let server: PanelServer;
let work: string;
const panel = (...args: string[]) => runPanel(args, server.databaseUrl);
const list = (token: string) => request(server.baseUrl, "/panel/api/setting/apiTokens", { headers: bearer(token) });

beforeAll(async () => {
  server = await startPanelServer({ env: { ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password } });
  work = mkdtempSync(path.join(os.tmpdir(), "xui-cli-api-"));
});
afterAll(async () => {
  await server?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("CLI against a running server", () => {
  it("a token created on the command line works at once; disable and enable act on the next request", async () => {
    const created = await panel("token", "create", "--name", "shell-bot");
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect((await list(token)).json?.success).toBe(true);

    expect((await panel("token", "disable", "shell-bot")).code).toBe(0);
    expect((await list(token)).status).toBe(401);
    expect((await panel("token", "enable", "shell-bot")).code).toBe(0);
    expect((await list(token)).status).toBe(200);
  });

  it("imported 3x-ui tokens authenticate over HTTP; a bad-checksum xui_ token does not, even with its hash imported", async () => {
    const bot = xuiPlaintext();
    const valid = mintToken().plaintext;
    const body = valid.slice(4, 34);
    const badChecksum = `xui_${body}${tokenChecksum(body) === "000000" ? "000001" : "000000"}`;
    const source = path.join(work, "x-ui.db");
    await buildXuiDatabase(source, [
      { name: "from-3x-ui", plaintext: bot },
      { name: "monitor-from-3x-ui", plaintext: valid, scope: "monitor" },
      { name: "bad-checksum", plaintext: badChecksum },
    ]);
    const result = await panel("import-3x-ui", source);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("3 imported, 0 skipped");

    const listed = await list(bot);
    expect(listed.status).toBe(200);
    expect((listed.json!.obj as { name: string; prefix: string }[]).find((v) => v.name === "from-3x-ui")?.prefix).toBe("");
    const status = await request(server.baseUrl, "/panel/api/server/status", { headers: bearer(valid) });
    expect(status.status).toBe(200);
    expect((await list(valid)).status).toBe(403);
    expect((await list(badChecksum)).status).toBe(401);
  });

  // `backup` copies an embedded database file (VACUUM INTO); on a libSQL server it refuses by
  // design (tests/unit/cli.test.ts checks that), and sqld/Turso backups use their own tools.
  it.skipIf(testBackend() === "sqld")("backup takes a consistent copy while the server writes", async () => {
    const admin = (await panel("token", "create", "--name", "backup-writer")).stdout.trim();
    // Keep the server writing during the backup.
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        const res = await request(server.baseUrl, "/panel/api/setting/apiTokens/create", {
          headers: bearer(admin),
          body: { name: `during-backup-${written}` },
        });
        expect(res.json?.success).toBe(true);
        written++;
      }
    })();
    const target = path.join(work, "backup.db");
    const result = await panel("backup", target);
    writing = false;
    await writer;
    expect(result.code).toBe(0);
    expect(written).toBeGreaterThan(0);

    const copy = openDatabase(`file:${target}`);
    try {
      expect(await verifyBearerToken(copy.db, admin, { ip: "127.0.0.1" })).toMatchObject({ name: "backup-writer" });
      const check = await copy.client.execute("PRAGMA integrity_check");
      expect(check.rows[0]![0]).toBe("ok");
    } finally {
      copy.close();
    }
  });

  it("admin reset: the old session ends, the new password signs in", async () => {
    const before = new BrowserSession(server.baseUrl);
    expect((await before.login(ADMIN.username, ADMIN.password)).json?.success).toBe(true);
    const xhr = { "x-requested-with": "XMLHttpRequest" };
    expect((await before.send("/panel/api/setting/apiTokens", { headers: xhr })).status).toBe(200);

    const reset = await panel("admin", "reset", "--username", ADMIN.username, "--password", "rotated-password-2");
    expect(reset.code).toBe(0);
    expect((await before.send("/panel/api/setting/apiTokens", { headers: xhr })).status).toBe(401);
    expect((await new BrowserSession(server.baseUrl).login(ADMIN.username, ADMIN.password)).json?.success).toBe(false);
    expect((await new BrowserSession(server.baseUrl).login(ADMIN.username, "rotated-password-2")).json?.success).toBe(true);
  });
});
