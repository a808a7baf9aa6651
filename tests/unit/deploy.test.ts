import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
// @ts-expect-error -- plain .mjs build script (no type declarations)
import { serverNodeFlags } from "../../scripts/node-flags.mjs";

/** deploy/xui-panel.service: accepted by systemd as written, and starting the server as `npm start` does. */
const UNIT = readFileSync(path.join(process.cwd(), "deploy", "xui-panel.service"), "utf8");
const ANALYZE = "/usr/bin/systemd-analyze";
const work = mkdtempSync(path.join(os.tmpdir(), "xui-unit-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** `systemd-analyze verify` on a copy whose ExecStart names this machine's node (the unit says /usr/bin/node). */
function verify(text: string): { status: number | null; output: string } {
  const file = path.join(work, "xui-panel.service");
  writeFileSync(file, text.replace("ExecStart=/usr/bin/node ", `ExecStart=${process.execPath} `));
  const r = spawnSync(ANALYZE, ["verify", file], { encoding: "utf8" });
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

describe("systemd unit", () => {
  it("runs the built server with the panel's Node flags, its database in the state directory", () => {
    const exec = /^ExecStart=(\S+) (.*)$/m.exec(UNIT);
    expect(exec?.[1]).toBe("/usr/bin/node");
    expect(exec![2]!.split(" ")).toEqual([...serverNodeFlags({}), "/opt/xui-panel/.next/xui-server.mjs"]);
    expect(UNIT).toMatch(/^StateDirectory=xui-panel$/m);
    expect(UNIT).toMatch(/^Environment=DATABASE_URL=file:\/var\/lib\/xui-panel\/panel\.db$/m);
    expect(UNIT).toMatch(/^KillSignal=SIGTERM$/m);
  });

  // systemd-analyze comes with systemd; a machine without it (a container image, macOS) cannot check the file.
  it.runIf(existsSync(ANALYZE))("passes systemd-analyze verify without a warning (and the check sees one)", () => {
    expect(verify(UNIT)).toEqual({ status: 0, output: "" });
    const typo = verify(UNIT.replace("ProtectHome=yes", "ProtectHomes=yes"));
    expect(typo.output).toMatch(/Unknown key 'ProtectHomes'/);
  });
});
