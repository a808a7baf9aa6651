import { execFile } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { promisify } from "node:util";
import { loadPanelKey, panelKeyPath, parsePanelKey } from "@/lib/crypto/panel-key";
import { tsxArgs } from "../support/cli";
import { ROOT } from "../support/server";

const dir = mkdtempSync(path.join(os.tmpdir(), "xui-panel-key-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const url = (name: string) => `file:${path.join(dir, name, "panel.db")}`;

describe("panel key", () => {
  it("PANEL_SECRET_KEY: 64 hex characters or the base64 of 32 bytes; anything else is refused with how to make one", () => {
    const bytes = Buffer.alloc(32, 7);
    expect(parsePanelKey(bytes.toString("hex"))).toEqual(bytes);
    expect(parsePanelKey(` ${bytes.toString("base64")}\n`)).toEqual(bytes);
    expect(parsePanelKey(bytes.toString("base64url"))).toEqual(bytes);
    expect(parsePanelKey(undefined)).toBeNull();
    expect(parsePanelKey("  ")).toBeNull();
    for (const bad of ["secret", bytes.toString("hex").slice(2), Buffer.alloc(31).toString("base64"), `${bytes.toString("hex")}00`]) {
      expect(() => parsePanelKey(bad), bad).toThrow(
        "PANEL_SECRET_KEY must be 64 hex characters or the base64 of 32 bytes (make one with: openssl rand -hex 32)",
      );
    }
  });

  it("without it: a key file next to the database, created once with mode 0600, read back the same", () => {
    const first = loadPanelKey({}, url("a"));
    expect(first.source).toEqual({ kind: "file", path: path.join(dir, "a", "panel.key"), created: true });
    expect(statSync(path.join(dir, "a", "panel.key")).mode & 0o777).toBe(0o600);
    const again = loadPanelKey({}, url("a"));
    expect(again.source).toMatchObject({ created: false });
    expect(again.key).toEqual(first.key);
    expect(loadPanelKey({ PANEL_SECRET_KEY: "ab".repeat(32) }, url("a")).key).toEqual(Buffer.alloc(32, 0xab));
    // A libSQL server has no database directory: data/ under the working directory.
    expect(panelKeyPath("http://127.0.0.1:8080", "/srv/panel")).toBe("/srv/panel/data/panel.key");
  });

  it("refuses a key file others may read, or one that is not a key", () => {
    const file = path.join(dir, "b", "panel.key");
    loadPanelKey({}, url("b"));
    chmodSync(file, 0o644);
    expect(() => loadPanelKey({}, url("b"))).toThrow(`${file} is readable by others (mode 0644): it guards the two-factor secrets; run chmod 600 ${file}`);
    writeFileSync(file, "abcd\n", { mode: 0o600 });
    chmodSync(file, 0o600);
    expect(() => loadPanelKey({}, url("b"))).toThrow(`${file} is not a panel key (expected 64 hex characters, found 4 characters)`);
    expect(readFileSync(file, "utf8")).toBe("abcd\n"); // never overwritten
  });

  it("instances starting at once on one directory all read one complete key (never a half-written file)", async () => {
    // Several panels on one data/ (or the bench's panels on one temp directory) start together: each
    // child creates the key of 300 fresh directories in lockstep with the others.
    const base = path.join(dir, "race");
    const children = 4;
    const directories = 300;
    const startAt = Date.now() + 3_000; // after every child has loaded tsx
    const run = (n: number) =>
      promisify(execFile)(
        process.execPath,
        tsxArgs("tests/support/panel-key-race.ts", base, String(directories), String(startAt)),
        { cwd: ROOT, encoding: "utf8", timeout: 30_000 },
      ).then(({ stdout }) => stdout.trim().split("\n").map((line) => ({ child: n, ...(JSON.parse(line) as { i: number; key?: string; error?: string }) })));
    const results = (await Promise.all(Array.from({ length: children }, (_, n) => run(n)))).flat();
    expect(results.filter((r) => r.error)).toEqual([]);
    for (let i = 0; i < directories; i++) {
      const keys = new Set(results.filter((r) => r.i === i).map((r) => r.key));
      expect(keys.size, `directory ${i}`).toBe(1);
      expect([...keys][0]).toBe(readFileSync(path.join(base, String(i), "panel.key"), "utf8").trim());
      expect(readdirSync(path.join(base, String(i))), "no draft left behind").toEqual(["panel.key"]);
    }
  }, 60_000);
});
