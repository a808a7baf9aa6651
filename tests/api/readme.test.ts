import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, startPanelServer, type PanelServer } from "../support/server";

/**
 * The README's curl examples, run as printed (only PANEL points at a test
 * server, and the password placeholder is the one this server was given).
 */
const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
const shellBlocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
const signIn = shellBlocks.find((b) => b.includes("/login"))!;
const botCalls = shellBlocks.find((b) => b.startsWith("TOKEN="))!;
const lifecycleCalls = shellBlocks.find((b) => b.includes("/rotate/"))!;
const scaleCalls = shellBlocks.find((b) => b.includes("apiTokens?limit="))!;
const cliBlock = shellBlocks.find((b) => b.includes("npm run -s panel -- token create"))!;

let server: PanelServer;
let workdir: string;
beforeAll(async () => {
  server = await startPanelServer({ env: { ADMIN_USERNAME: "admin", ADMIN_PASSWORD: "YOUR-PASSWORD" } });
  workdir = mkdtempSync(path.join(os.tmpdir(), "xui-readme-"));
});
afterAll(async () => {
  await server.stop();
  rmSync(workdir, { recursive: true, force: true });
});

function bash(script: string): string[] {
  const out = execFileSync("bash", ["-euo", "pipefail", "-c", script], { cwd: workdir, encoding: "utf8" });
  return out.split("\n").filter((l) => l.startsWith("{"));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- shapes vary per call and are asserted field by field
type Answer = { success: boolean; msg?: string; obj?: any };

describe("README curl examples", () => {
  it("work as printed: sign in, mint a token, then every bot call with it", () => {
    expect(signIn).toContain("PANEL=http://127.0.0.1:2053");
    // The sign-in is a form post, and the CSRF token fetched before it is used after it.
    expect(signIn).toContain("--data-urlencode username=admin");
    expect(botCalls).toContain("-d name=grafana");
    expect(botCalls).toMatch(/^TOKEN=xui_…/);
    const script = [
      // Sign-in block as printed; the create answer is also saved so the next block can use its token.
      signIn
        .replace("PANEL=http://127.0.0.1:2053", `PANEL=${server.baseUrl}`)
        .replace('"$PANEL/panel/api/setting/apiTokens/create"', '"$PANEL/panel/api/setting/apiTokens/create" | tee create.json'),
      // "TOKEN=xui_…  # the token from the create answer"
      botCalls.replace(/^TOKEN=xui_….*$/m, `TOKEN=$(sed -E 's/.*"token":"([^"]*)".*/\\1/' create.json)`),
      lifecycleCalls,
      scaleCalls,
    ]
      .join("\n")
      .replace(/\n(curl)/g, "\necho\n$1");
    const outputs = bash(script).map((l) => JSON.parse(l) as Answer);
    expect(outputs).toHaveLength(19);
    const [login, first, list, grafana, disabled, enabled, deleted, status, ci, permissions, edited, rotated, audit, revoke, page, described, renewed, usage, policy] =
      outputs;
    expect(login).toEqual({ success: true, msg: "You have successfully logged into your account.", obj: null });
    expect(first!.obj).toMatchObject({ id: 1, name: "central-panel-a", scope: "admin", expiresAt: 0 });
    expect(list!.obj.map((v: { name: string }) => v.name)).toEqual(["central-panel-a"]);
    expect(grafana!.obj).toMatchObject({ id: 2, name: "grafana", scope: "monitor" });
    expect(grafana!.obj.expiresAt).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    expect([disabled, enabled, deleted]).toEqual(Array(3).fill({ success: true, msg: "", obj: null }));
    expect(status!.success).toBe(true);
    expect(status!.obj.mem.total).toBeGreaterThan(0);

    // Beyond the peer panel.
    expect(ci!.obj).toMatchObject({ id: 3, name: "ci-deploy", allowedIps: ["203.0.113.0/24"] });
    expect(permissions!.obj.endpoints.length).toBeGreaterThan(5);
    expect(edited!.obj).toMatchObject({ id: 3, name: "ci-deploy-prod", allowedIps: ["203.0.113.0/24", "2001:db8::/32"] });
    expect(edited!.obj.expiresAt).toBeGreaterThan(Date.now() + 89 * 86_400_000);
    expect(rotated!.obj).toMatchObject({ id: 3, name: "ci-deploy-prod" });
    expect(rotated!.obj.token).toMatch(/^xui_/);
    expect(rotated!.obj.graceUntil).toBeGreaterThan(Date.now() + 3_500_000);
    expect(audit!.obj.events.map((e: { action: string }) => e.action)).toEqual(["token.rotate", "token.update", "token.create"]);
    expect(revoke).toEqual({ success: true, msg: "accepted", obj: null });

    // At scale.
    expect(page!.obj).toMatchObject({ total: 1, nextCursor: null, prevCursor: null });
    expect(page!.obj.items.map((v: { name: string }) => v.name)).toEqual(["ci-deploy-prod"]);
    expect(described!.obj).toMatchObject({ id: 3, description: "deploys from CI" });
    expect(renewed!.obj.expiresAt).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    expect(renewed!.obj.token).toMatch(/^xui_/);
    expect(usage!.obj).toMatchObject({ id: 3, days: 30, routes: [], usedRoutes: 0, narrowestScope: null });
    expect(policy!.obj).toMatchObject({ maxLifetimeDays: 90, defaultExpiryDays: 30, adminRequiresAllowlist: false });
    const [csv] = readdirSync(workdir).filter((f) => /^audit-log-\d{13}-\d{13}\.csv$/.test(f));
    const rows = readFileSync(path.join(workdir, csv!), "utf8").split("\r\n");
    expect(rows[0]).toBe("time,action,outcome,actor,ip,target,detail");
    expect(rows.slice(1, -1).map((r) => r.split(",")[1])).toEqual(["token.rotate", "token.update", "token.rotate", "token.update", "token.create"]);
  });

  it("the command line examples work as printed", () => {
    expect(cliBlock).toContain("backup panel-backup-$(date +%F).db");
    // Run from a scratch folder (backup writes there), with npm pointed at the project.
    const script = cliBlock.replaceAll("npm run -s panel", `npm --prefix "${ROOT}" run -s panel`);
    const env = { ...process.env, DATABASE_URL: `file:${path.join(workdir, "cli.db")}` };
    const out = execFileSync("bash", ["-euo", "pipefail", "-c", `${script}\necho "TOKEN=$TOKEN"`], { cwd: workdir, encoding: "utf8", env });
    expect(out).toMatch(/^TOKEN=xui_[0-9A-Za-z]{36}$/m);
    expect(out).toMatch(/^ID\s+NAME\s+SCOPE/m);
    expect(out).toContain('Disabled token 2 "grafana".');
    expect(out).toContain('Enabled token 2 "grafana".');
    expect(out).toContain('Deleted token 2 "grafana".');
    const backups = readdirSync(workdir).filter((f) => /^panel-backup-\d{4}-\d\d-\d\d\.db$/.test(f));
    expect(backups).toHaveLength(1);
    const list = execFileSync("npm", ["--prefix", ROOT, "run", "-s", "panel", "--", "token", "list", "--json"], { cwd: workdir, encoding: "utf8", env });
    const tokens = JSON.parse(list) as { name: string; allowedIps: string[]; expiresAt: number }[];
    expect(tokens.map((t) => t.name)).toEqual(["central-panel-a", "deploy"]);
    expect(tokens[1]).toMatchObject({ allowedIps: ["203.0.113.0/24", "2001:db8::/32"] });
    expect(tokens[1]!.expiresAt).toBeGreaterThan(Date.now() + 29 * 86_400_000);
  });
});
