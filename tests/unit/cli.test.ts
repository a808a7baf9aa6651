import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { createClient } from "@libsql/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { systemContext } from "@/lib/audit/context";
import { openDatabase, type DatabaseHandle } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { findTokenRef, runCli, USAGE } from "@/cli/run";
import { parseDuration } from "@/cli/duration";
import { login, LOGIN_MSG } from "@/lib/auth/login";
import { resolveSession } from "@/lib/auth/sessions";
import { loadPanelKey } from "@/lib/crypto/panel-key";
import { createTokenBody, MSG } from "@/lib/tokens/schemas";
import { createToken, listTokens, verifyBearerToken } from "@/lib/tokens/service";
import { runPanel } from "../support/cli";
import { ROOT } from "../support/server";
import { buildXuiDatabase, xuiPlaintext } from "../support/xui-fixture";

/**
 * The real command line (spawned, as `npm run panel` runs it) against a temp
 * libSQL file; results are checked through the same service code the server
 * uses, on that file.
 */
let dir: string;
let url: string;
const handles: DatabaseHandle[] = [];
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "xui-cli-"));
  url = `file:${path.join(dir, "panel.db")}`;
});
afterEach(() => {
  for (const h of handles.splice(0)) h.close();
  rmSync(dir, { recursive: true, force: true });
});

const panel = (...args: string[]) => runPanel(args, url);
/** The CLI's database, opened (and migrated, in case the CLI has not run yet) as the server would. */
async function db(databaseUrl = url) {
  const handle = openDatabase(databaseUrl);
  handles.push(handle);
  await migrateDatabase(handle);
  return handle.db;
}

/** A failure: the exit code, nothing on stdout, exactly one `panel: …` line on stderr. */
function expectFailure(result: { code: number; stdout: string; stderr: string }, code: number, message: string | RegExp) {
  expect(result.stdout).toBe("");
  expect(result.stderr).toMatch(/^panel: [^\n]+\n$/);
  expect(result.stderr).toMatch(message);
  expect(result.code).toBe(code);
}

describe("usage", () => {
  it("--help prints the usage on stdout; no arguments print it on stderr and fail", async () => {
    const [help, none, sub] = await Promise.all([panel("--help"), panel(), panel("token", "create", "--help")]);
    expect(help).toEqual({ code: 0, stdout: USAGE, stderr: "" });
    expect(none).toEqual({ code: 2, stdout: "", stderr: USAGE });
    expect(sub.code).toBe(0);
    for (const command of ["token create --name", "token list [--json]", "token enable <id|name>", "admin reset", "backup <file>", "import-3x-ui <x-ui.db>"]) {
      expect(USAGE).toContain(command);
    }
  });

  it("works through the npm script, with relative paths taken from the caller's directory", async () => {
    const work = path.join(dir, "work");
    mkdirSync(work);
    const npm = (...args: string[]) =>
      promisify(execFile)("npm", ["--prefix", ROOT, "run", "-s", "panel", "--", ...args], {
        cwd: work,
        env: { ...process.env, DATABASE_URL: url },
        encoding: "utf8",
      });
    const created = await npm("token", "create", "--name", "via-npm");
    expect(created.stdout).toMatch(/^xui_[0-9A-Za-z]{36}\n$/);
    await npm("backup", "copy.db");
    expect(statSync(path.join(work, "copy.db")).size).toBeGreaterThan(0);
  });

  it("a usage error exits 2 with one line on stderr and leaves the database alone", async () => {
    const results = await Promise.all([
      panel("frobnicate"),
      panel("token", "create", "--name", "x", "--expires-in", "3x"),
      panel("token", "create", "--name", "x", "--scope", "root"),
    ]);
    expectFailure(results[0]!, 2, /^panel: unknown command 'frobnicate' \(see: npm run panel -- --help\)\n$/);
    expectFailure(results[1]!, 2, /^panel: invalid duration '3x': use a whole number and a unit/);
    expectFailure(results[2]!, 2, new RegExp(`^panel: ${MSG.scopeInvalid}`));
    expect(existsSync(path.join(dir, "panel.db"))).toBe(false);
  });
});

/**
 * Every usage error, through runCli() (the function cli/panel.ts hands the
 * command line to) in this process; the spawned tests above cover the wiring.
 */
describe("usage errors", () => {
  async function runInProcess(args: string[]) {
    let stdout = "";
    let stderr = "";
    const code = await runCli(args, {
      out: (t) => (stdout += t),
      err: (t) => (stderr += t),
      env: process.env,
      cwd: dir,
      interactive: false,
      readStdin: async () => "",
    });
    return { code, stdout, stderr };
  }

  it.each([
    [["frobnicate"], /unknown command 'frobnicate'/],
    [["token"], /missing token command/],
    [["token", "mint"], /unknown token command 'mint'/],
    [["token", "create"], /--name is required/],
    [["token", "create", "--name"], /--name/],
    [["token", "create", "--name", "x", "--colour", "red"], /Unknown option '--colour'/],
    [["token", "create", "--name", "x", "--scope", "root"], new RegExp(MSG.scopeInvalid)],
    [["token", "create", "--name", "x", "--expires-in", "3x"], /invalid duration '3x'/],
    [["token", "create", "--name", "x", "--expires-in", "0d"], /invalid duration '0d'/],
    [["token", "create", "--name", "   "], new RegExp(MSG.nameRequired)],
    [["token", "create", "--name", "x".repeat(65)], new RegExp(MSG.nameTooLong)],
    [["token", "list", "extra"], /Unexpected argument 'extra'/],
    [["token", "disable"], /missing <id\|name>/],
    [["token", "delete", "a", "b"], /unexpected argument 'b'/],
    [["admin"], /missing admin command/],
    [["admin", "reset", "--username", "admin"], /--password is required/],
    [["admin", "reset", "--username", "admin", "--password", "short"], /password must be at least 8 characters/],
    [["backup"], /missing <file>/],
    [["import-3x-ui"], /missing <x-ui.db>/],
  ])("%j: exit 2, one line on stderr, database untouched", async (args, message) => {
    expectFailure(await runInProcess(args), 2, message);
    // A usage error never opens the database, so the file is not even created.
    expect(existsSync(path.join(dir, "panel.db"))).toBe(false);
  });
});

describe("token create", () => {
  it("prints only the plaintext, which then verifies as that token", async () => {
    const result = await panel("token", "create", "--name", "ci-bot");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^xui_[0-9A-Za-z]{36}\n$/);
    const verified = await verifyBearerToken(await db(), result.stdout.trim(), { ip: "127.0.0.1" });
    expect(verified).toEqual({ id: 1, name: "ci-bot", scope: "admin", rateLimitPerMinute: 0, expiresAt: 0 });
  });

  it("takes --scope and --expires-in", async () => {
    const before = Date.now();
    const result = await panel("token", "create", "--name", "grafana", "--scope", "monitor", "--expires-in", "30d");
    expect(result.code).toBe(0);
    const [view] = await listTokens(await db());
    expect(view).toMatchObject({ name: "grafana", scope: "monitor" });
    expect(view!.expiresAt).toBeGreaterThanOrEqual(before + 30 * 86_400_000);
    expect(view!.expiresAt).toBeLessThanOrEqual(Date.now() + 30 * 86_400_000);
    expect(await verifyBearerToken(await db(), result.stdout.trim(), { ip: "127.0.0.1" })).toMatchObject({ scope: "monitor" });
  });

  it("is idempotent-safe: re-running with an existing name fails cleanly and adds nothing", async () => {
    const first = await panel("token", "create", "--name", "deploy");
    expect(first.code).toBe(0);
    const again = await panel("token", "create", "--name", "deploy");
    expectFailure(again, 1, /^panel: a token with that name already exists\n$/);
    const tokens = await listTokens(await db());
    expect(tokens.map((t) => t.name)).toEqual(["deploy"]);
    expect(await verifyBearerToken(await db(), first.stdout.trim(), { ip: "127.0.0.1" })).toMatchObject({ name: "deploy" });
  });
});

describe("token list", () => {
  it("prints a table, or with --json exactly the service's token views", async () => {
    await createToken(await db(), createTokenBody.parse({ name: "alpha" }), systemContext("test"));
    await createToken(await db(), createTokenBody.parse({ name: "beta", scope: "node-sync", expiresAt: Date.now() + 3_600_000 }), systemContext("test"));
    const [table, json] = await Promise.all([panel("token", "list"), panel("token", "list", "--json")]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+NAME\s+SCOPE\s+ENABLED\s+EXPIRES\s+CREATED\s+PREFIX$/);
    expect(lines[1]).toMatch(/^1\s+alpha\s+admin\s+yes\s+never\s+/);
    expect(lines[2]).toMatch(/^2\s+beta\s+node-sync\s+yes\s+\d{4}-\d\d-\d\d \d\d:\d\dZ\s+/);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(await listTokens(await db()));
    expect(json.stdout).not.toMatch(/hash|xui_[0-9A-Za-z]{36}/i);
  });

  it("says so when there are no tokens", async () => {
    expect(await panel("token", "list")).toEqual({ code: 0, stdout: "No API tokens.\n", stderr: "" });
    expect(JSON.parse((await panel("token", "list", "--json")).stdout)).toEqual([]);
  });
});

describe("token enable / disable / delete", () => {
  it("act by id and by name, with effect on the very next verification", async () => {
    const a = await createToken(await db(), createTokenBody.parse({ name: "a" }), systemContext("test"));
    const b = await createToken(await db(), createTokenBody.parse({ name: "b" }), systemContext("test"));

    expect(await panel("token", "disable", String(a.id))).toEqual({ code: 0, stdout: `Disabled token ${a.id} "a".\n`, stderr: "" });
    expect(await verifyBearerToken(await db(), a.token, { ip: "127.0.0.1" })).toBeNull();
    expect((await panel("token", "enable", "a")).code).toBe(0);
    expect(await verifyBearerToken(await db(), a.token, { ip: "127.0.0.1" })).toMatchObject({ name: "a" });
    expect((await panel("token", "disable", "b")).stdout).toBe(`Disabled token ${b.id} "b".\n`);
    expect(await verifyBearerToken(await db(), b.token, { ip: "127.0.0.1" })).toBeNull();

    expect(await panel("token", "delete", "b")).toEqual({ code: 0, stdout: `Deleted token ${b.id} "b".\n`, stderr: "" });
    expect((await panel("token", "delete", String(a.id))).code).toBe(0);
    expect(await listTokens(await db())).toEqual([]);
  });

  it("fail with exit 1 for an unknown id or name", async () => {
    const results = await Promise.all([panel("token", "disable", "42"), panel("token", "enable", "nobody"), panel("token", "delete", "nobody")]);
    for (const r of results) expectFailure(r, 1, /^panel: token not found: no token has the id or name '(42|nobody)'\n$/);
  });

  it("read a number as an id first, and as a name only when no token has that id", async () => {
    const first = await createToken(await db(), createTokenBody.parse({ name: "2" }), systemContext("test"));
    const second = await createToken(await db(), createTokenBody.parse({ name: "2024" }), systemContext("test"));
    // "2" is token 2's id (named "2024"), even though token 1 is named "2".
    expect((await panel("token", "disable", "2")).stdout).toBe(`Disabled token ${second.id} "2024".\n`);
    // No token has id 2024: the name matches.
    expect((await panel("token", "enable", "2024")).stdout).toBe(`Enabled token ${second.id} "2024".\n`);
    expect(await verifyBearerToken(await db(), first.token, { ip: "127.0.0.1" })).toMatchObject({ name: "2" });
  });

  it("findTokenRef follows the documented rule", () => {
    const view = (id: number, name: string) => ({
      id,
      name,
      description: "",
      enabled: true,
      createdAt: 0,
      scope: "admin" as const,
      expiresAt: 0,
      prefix: "",
      expiresSoon: false,
      expired: false,
      lastUsedAt: 0,
      lastUsedIp: "",
      allowedIps: [],
      rateLimitPerMinute: 0,
      graceUntil: 0,
      canary: false,
      reuseDetectedAt: 0,
      policyViolations: [],
    });
    const tokens = [view(1, "2"), view(2, "2024"), view(3, "ci")];
    expect(findTokenRef(tokens, "2")?.id).toBe(2);
    expect(findTokenRef(tokens, "2024")?.id).toBe(2);
    expect(findTokenRef(tokens, "ci")?.id).toBe(3);
    expect(findTokenRef(tokens, "3")?.id).toBe(3);
    expect(findTokenRef(tokens, "7")).toBeUndefined();
    expect(findTokenRef(tokens, " ci")).toBeUndefined();
  });
});

describe("admin reset", () => {
  const policy = { idleMs: 3_600_000, maxMs: 86_400_000, maxFailures: 5, maxFailuresPerIp: 30, windowMs: 900_000 };
  const meta = { ip: "127.0.0.1", userAgent: "test" };

  it("creates the admin, then resets its password and ends its sessions; login() sees the new password", async () => {
    expect(await panel("admin", "reset", "--username", "root", "--password", "first-password-1")).toEqual({
      code: 0,
      stdout: 'Created admin "root" with the given password.\n',
      stderr: "",
    });
    const session = await login(await db(), { username: "root", password: "first-password-1" }, meta, policy);

    const reset = await panel("admin", "reset", "--username", "root", "--password", "second-password-2");
    expect(reset.stdout).toBe('Set the password of admin "root" and ended its sessions.\n');
    expect(await resolveSession(await db(), session.sessionId, policy)).toBeNull();
    await expect(login(await db(), { username: "root", password: "first-password-1" }, meta, policy)).rejects.toThrow(LOGIN_MSG.wrongCredentials);
    expect(await login(await db(), { username: "root", password: "second-password-2" }, meta, policy)).toMatchObject({ username: "root" });
  });

  it("reads the password from stdin with --password -", async () => {
    const result = await runPanel(["admin", "reset", "--username", "piped", "--password", "-"], url, { input: "from-stdin-pass-3\n" });
    expect(result).toEqual({ code: 0, stdout: 'Created admin "piped" with the given password.\n', stderr: "" });
    expect(await login(await db(), { username: "piped", password: "from-stdin-pass-3" }, meta, policy)).toMatchObject({ username: "piped" });
    expectFailure(await runPanel(["admin", "reset", "--username", "piped", "--password", "-"], url, { input: "" }), 2, /password must be at least 8/);
  });
});

describe("backup", () => {
  it("writes a copy that opens and holds the tokens, and refuses to overwrite a file", async () => {
    const created = await createToken(await db(), createTokenBody.parse({ name: "kept" }), systemContext("test"));
    const target = path.join(dir, "backup.db");
    // No panel has started here yet, so there is no key file: the backup says so and makes none.
    const keyless = await panel("backup", path.join(dir, "keyless.db"));
    expect(keyless.code).toBe(0);
    expect(keyless.stdout).toMatch(/\nNo panel key file at .*panel\.key: if the panel gets PANEL_SECRET_KEY from its environment, keep that value with the backup/);
    expect(existsSync(`${path.join(dir, "keyless.db")}.key`)).toBe(false);
    // A panel's first start makes the key file; the backup then copies it.
    loadPanelKey({}, url);
    const result = await panel("backup", target);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^Backed up the database to .*backup\.db \(\d+ bytes\)\.\nCopied the panel key to .*backup\.db\.key \(mode 0600\): keep it with the backup and as private as the database\.\n$/,
    );
    expect(statSync(`${target}.key`).mode & 0o777).toBe(0o600);
    // Opened as is (no migrations): the copy is complete on its own.
    const copy = openDatabase(`file:${target}`);
    handles.push(copy);
    expect(await verifyBearerToken(copy.db, created.token, { ip: "127.0.0.1" })).toMatchObject({ name: "kept" });

    const before = readFileSync(target);
    expectFailure(await panel("backup", target), 1, /already exists/);
    expect(readFileSync(target).equals(before)).toBe(true);
  });

  it("refuses a libSQL server URL without contacting it", async () => {
    // Nothing listens on port 9: an attempt to connect would fail with a different message.
    const r = await runPanel(["backup", path.join(dir, "x.db")], "http://127.0.0.1:9");
    expectFailure(r, 1, /^panel: backup works on an embedded database/);
    expectFailure(await runPanel(["restore", path.join(dir, "x.db")], "http://127.0.0.1:9"), 1, /^panel: restore works on an embedded database/);
    expectFailure(await runPanel(["restore", path.join(dir, "x.db")], ":memory:"), 1, /^panel: restore works on an embedded database/);
  });

  it("restore refuses the database as its own backup, and a backup from a newer panel", async () => {
    expect((await panel("token", "create", "--name", "before")).code).toBe(0);
    expectFailure(await panel("restore", path.join(dir, "panel.db")), 1, /the backup is the database itself/);
    const newer = path.join(dir, "newer.db");
    expect((await panel("backup", newer)).code).toBe(0);
    const handle = openDatabase(`file:${newer}`);
    await handle.client.execute("INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('from-the-future', 4102444800000)");
    handle.close();
    expectFailure(await panel("restore", newer), 1, /written by a newer version of the panel/);
    expect(readdirSync(dir).filter((f) => f.includes("before-restore") || f.includes("restoring"))).toEqual([]);
  });
});

describe("import-3x-ui", () => {
  it("imports from a 3x-ui file, opened read-only: plaintexts verify, collisions are reported and skipped", async () => {
    await createToken(await db(), createTokenBody.parse({ name: "taken" }), systemContext("test"));
    const source = path.join(dir, "x-ui.db");
    const bot = xuiPlaintext();
    const monitor = xuiPlaintext();
    await buildXuiDatabase(source, [
      { name: "central-panel-a", plaintext: bot },
      { name: "grafana", plaintext: monitor, scope: "monitor" },
      { name: "taken" },
      { name: "broken", token: "not-a-hash" },
    ]);
    const digest = () => createHash("sha256").update(readFileSync(source)).digest("hex");
    const before = digest();

    const result = await panel("import-3x-ui", source);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout.split("\n")).toEqual([
      'imported  2  "central-panel-a"',
      'imported  3  "grafana"',
      `skipped   "taken": ${MSG.nameTaken}`,
      'skipped   "broken": token is not a hex SHA-256 (64 hex digits)',
      `2 imported, 2 skipped (of 4 in ${source}).`,
      "",
    ]);
    expect(await verifyBearerToken(await db(), bot, { ip: "127.0.0.1" })).toMatchObject({ name: "central-panel-a", scope: "admin" });
    expect(await verifyBearerToken(await db(), monitor, { ip: "127.0.0.1" })).toMatchObject({ name: "grafana", scope: "monitor" });
    expect(digest()).toBe(before);

    const again = await panel("import-3x-ui", source, "--json");
    expect(JSON.parse(again.stdout)).toMatchObject({ imported: [], skipped: expect.arrayContaining([{ name: "grafana", reason: "this token is already in the panel" }]) });
  });

  it("fails cleanly on a missing file, a non-3x-ui database and a non-database file", async () => {
    const other = path.join(dir, "other.db");
    const client = createClient({ url: `file:${other}` });
    await client.execute("CREATE TABLE users (id integer PRIMARY KEY, username text)");
    client.close();
    const garbage = path.join(dir, "garbage.db");
    writeFileSync(garbage, "this is not sqlite ".repeat(100));
    const [missing, wrong, junk] = await Promise.all([
      panel("import-3x-ui", path.join(dir, "nope.db")),
      panel("import-3x-ui", other),
      panel("import-3x-ui", garbage),
    ]);
    expectFailure(missing, 1, /no such file/);
    expectFailure(wrong, 1, /has no api_tokens table: is it a 3x-ui database\?/);
    expectFailure(junk, 1, /not an SQLite database|cannot open/);
    expect(await listTokens(await db())).toEqual([]);
  });
});

describe("parseDuration", () => {
  it.each([
    ["30d", 30 * 86_400_000],
    ["12h", 12 * 3_600_000],
    ["90m", 90 * 60_000],
    ["45s", 45_000],
    ["2w", 14 * 86_400_000],
  ])("%s", (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each([["3x"], ["d"], ["-1d"], ["1.5d"], ["0h"], [""], ["30 d"], ["1e3s"]])("rejects %j", (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});
