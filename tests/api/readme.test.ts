import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
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
    expect(botCalls).toMatch(/^TOKEN=xui_…/);
    const script = [
      // Sign-in block as printed; the create answer is also saved so the next block can use its token.
      signIn
        .replace("PANEL=http://127.0.0.1:2053", `PANEL=${server.baseUrl}`)
        .replace('"$PANEL/panel/api/setting/apiTokens/create"', '"$PANEL/panel/api/setting/apiTokens/create" | tee create.json'),
      // "TOKEN=xui_…  # the token from the create answer"
      botCalls.replace(/^TOKEN=xui_….*$/m, `TOKEN=$(sed -E 's/.*"token":"([^"]*)".*/\\1/' create.json)`),
    ]
      .join("\n")
      .replace(/\n(curl)/g, "\necho\n$1");
    const outputs = bash(script).map((l) => JSON.parse(l) as Answer);
    expect(outputs).toHaveLength(8);
    const [login, first, list, grafana, disabled, enabled, deleted, status] = outputs;
    expect(login).toEqual({ success: true, msg: "Logged in successfully" });
    expect(first!.obj).toMatchObject({ id: 1, name: "central-panel-a", scope: "admin", expiresAt: 0 });
    expect(list!.obj.map((v: { name: string }) => v.name)).toEqual(["central-panel-a"]);
    expect(grafana!.obj).toMatchObject({ id: 2, name: "grafana", scope: "monitor" });
    expect(grafana!.obj.expiresAt).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    expect([disabled, enabled, deleted]).toEqual([{ success: true }, { success: true }, { success: true }]);
    expect(status!.success).toBe(true);
    expect(status!.obj.mem.total).toBeGreaterThan(0);
  });
});
